using System.Runtime.InteropServices;
using Luban.Actors.Cluster;
using Luban.Node;

// An agent's SSH and libvirt work blocks: socket continuations must go to the thread pool, never run inline on the
// epoll thread, whatever the parent process's environment says (inherited from a seed-tuned shell or test host, it
// stalled this process's socket I/O, cluster heartbeats included, for seconds at a time).
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", null);

var options = ProcessEnvironment.ParseOrExplain("luban-node", ClusterRoles.Agent, args, out var exitCode);
if (options is null) return exitCode;

using var stop = new CancellationTokenSource();
// SIGTERM and Ctrl-C end the rejoin loop; the current incarnation then leaves the cluster gracefully.
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

var rejoinDelay = Akka.Configuration.ConfigurationFactory
    .ParseString(File.ReadAllText(Path.Combine(options.HoconDirectory, "node.hocon")))
    .GetTimeSpan("luban.node.rejoin-delay", TimeSpan.FromSeconds(2));
try
{
    // Composing once up front surfaces a bad HOCON value before any cluster traffic.
    AgentHost.Build(options).Dispose();
}
catch (ConfigurationError error)
{
    Console.Error.WriteLine($"luban-node: invalid configuration: {error.Message}");
    return 2;
}

await AgentHost.RunUntilStoppedAsync(options, rejoinDelay, stop.Token);
return 0;
