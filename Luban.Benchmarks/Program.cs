using BenchmarkDotNet.Running;
using Luban.Benchmarks;

// `bond-latency [flips]` times real link changes; anything else goes to BenchmarkDotNet (e.g. --filter *Policy*).
if (args is ["bond-latency", ..])
    return await BondLatency.RunAsync(args.Length > 1 && int.TryParse(args[1], out var flips) ? flips : 60);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
