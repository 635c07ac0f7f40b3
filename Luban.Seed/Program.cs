using Akka.Actor;
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

// One incarnation after another: when this node's actor system ends on its own (the split-brain resolver downed it,
// e.g. a front-end host cut off from the others), the seed starts afresh and joins the cluster again, as a backup.
// A stop asked for (SIGTERM, Ctrl-C) ends the loop.
for (var incarnation = 1; ; incarnation++)
{
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
            await app.StartAsync();
        }
        catch (IOException error) when (error.InnerException is System.Net.Sockets.SocketException
                                         || error.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine(
                $"luban-seed: cannot listen (admin {options.AdminUrl}, front door {options.PublicUrl}): {error.Message}");
            return 1;
        }

        var system = app.Services.GetRequiredService<ActorSystem>();
        var ended = await Task.WhenAny(app.Admin.WaitForShutdownAsync(), app.FrontDoor.WaitForShutdownAsync(), system.WhenTerminated);
        var downed = ended == system.WhenTerminated;
        await app.StopAsync();
        if (!downed) return 0;
        var delay = app.RejoinDelay;
        Console.Error.WriteLine($"luban-seed: incarnation {incarnation}'s actor system ended " +
                                $"({CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name ?? "terminated"}); rejoining in {delay}");
        await Task.Delay(delay);
        options = options.ForRejoin();
    }
}
