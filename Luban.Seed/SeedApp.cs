using Akka.Configuration;
using Akka.Hosting;
using Luban.Actors.Bonding;
using Luban.Actors.Cluster;
using Luban.Actors.Scaling;
using Luban.Seed.Admin;

namespace Luban.Seed;

/// <summary>Composes the seed process: the cluster role <c>seed</c> and the admin endpoint. Tests build it the same way.</summary>
public static class SeedApp
{
    /// <summary>Composes the seed; throws <see cref="ConfigurationError"/> naming the key of a bad HOCON value.</summary>
    public static WebApplication Build(ClusterNodeOptions options, Config? overrides = null)
    {
        var hocon = LubanHocon.Load(options.HoconDirectory, options.Role, overrides);
        var supervisorSettings = SupervisorSettingsHocon.Read(hocon);
        var bondSettings = BondHosting.ReadSettings(options, hocon);

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
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.AddAkka(ClusterNodeOptions.SystemName, akka => akka
            .AddLubanCluster(options, overrides)
            .AddScaleSupervisor(supervisorSettings)
            .AddBondWatcher(options, bondSettings));

        var app = builder.Build();
        app.MapAdminEndpoints(options);
        return app;
    }
}
