using Luban.Actors.Cluster;
using Luban.Seed;
using Luban.Seed.FrontDoor;

// A thread-pool hop less per socket I/O on the front door's path (measured 5-15% less CPU per request). Set here, in
// the seed's own process before its first socket operation, and never by library code: a process that sets it (a
// test host running the front door in-process) passes it on to every program it starts, and in an agent, whose SSH and
// libvirt work blocks, it stalled socket I/O for seconds at a time (cluster heartbeats included).
if (Environment.GetEnvironmentVariable(FrontDoorApp.InlineSocketCompletions) is null)
    Environment.SetEnvironmentVariable(FrontDoorApp.InlineSocketCompletions, "1");

var options = ProcessEnvironment.ParseOrExplain("luban-seed", ClusterRoles.Seed, args, out var exitCode);
if (options is null) return exitCode;

SeedApp app;
try
{
    app = SeedApp.Build(options);
}
catch (ConfigurationError error)
{
    Console.Error.WriteLine($"luban-seed: invalid configuration: {error.Message}");
    return 2;
}

await using (app)
{
    try
    {
        await app.RunAsync();
        return 0;
    }
    catch (IOException error) when (error.InnerException is System.Net.Sockets.SocketException
                                     || error.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
    {
        Console.Error.WriteLine(
            $"luban-seed: cannot listen (admin {options.AdminUrl}, front door {options.PublicUrl}): {error.Message}");
        return 1;
    }
}
