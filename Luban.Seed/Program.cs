using Luban.Actors.Cluster;
using Luban.Seed;

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
