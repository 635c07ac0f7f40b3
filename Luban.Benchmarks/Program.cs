using BenchmarkDotNet.Running;
using Luban.Benchmarks;
using Luban.Benchmarks.BondFailover;

// `bond-latency [flips]` times real link changes; `bond-failover [options]` pulls a link of a real 802.3ad bond
// between two guests; `tls-latency [round trips] [connects]` the control plane with and without TLS; anything else
// `warm-pool --hocon FILE` pause against managed save on one real guest; anything else
// goes to BenchmarkDotNet (e.g. --filter *Policy*).
if (args is ["tls-latency", ..])
    return await TlsLatency.RunAsync(args.Length > 1 && int.TryParse(args[1], out var trips) ? trips : 2000,
        args.Length > 2 && int.TryParse(args[2], out var connects) ? connects : 10);
if (args is ["bond-failover", .. var labArgs])
    return await BondFailoverLab.RunAsync(labArgs);
if (args is ["warm-pool", .. var warmArgs])
    return await WarmPoolBench.RunAsync(warmArgs);
if (args is ["bond-latency", ..])
    return await BondLatency.RunAsync(args.Length > 1 && int.TryParse(args[1], out var flips) ? flips : 60);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
