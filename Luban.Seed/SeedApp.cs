using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Cluster;
using Luban.Seed.Admin;

namespace Luban.Seed;

/// <summary>Composes the seed process: the cluster role <c>seed</c> and the admin endpoint. Tests build it the same way.</summary>
public static class SeedApp
{
    public static WebApplication Build(ClusterNodeOptions options, Config? overrides = null)
    {
        // Our own options were parsed already; ASP.NET gets no arguments so it cannot reinterpret them.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.AdminUrl!.ToString().TrimEnd('/'));
        builder.Logging.ClearProviders().AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddAkka(ClusterNodeOptions.SystemName, akka => akka.AddLubanCluster(options, overrides));

        var app = builder.Build();
        app.MapAdminEndpoints(options);
        return app;
    }
}
