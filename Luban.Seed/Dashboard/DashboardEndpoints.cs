using System.Collections.Frozen;
using System.Reflection;
using Akka.Actor;
using Akka.Hosting;
using Luban.Seed.Admin;

namespace Luban.Seed.Dashboard;

/// <summary>
/// The operator's dashboard on the admin port: a static page (embedded, so the seed needs no wwwroot on disk), the
/// status document pushed to it as Server-Sent Events, and the chart's recent past that the page draws first.
/// </summary>
public static class DashboardEndpoints
{
    public const string PagePath = "/dashboard";
    public const string StreamPath = "/api/status/stream";
    public const string HistoryPath = "/api/history";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How often the status document is pushed; the chart's time resolution.</summary>
    public static readonly TimeSpan PushInterval = TimeSpan.FromSeconds(1);

    private const string ResourcePrefix = "Luban.Seed.Dashboard.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["chart.umd.min.js"] = "text/javascript; charset=utf-8",
        ["chart.js.LICENSE.txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Read once: the files are small and fixed at build time.
    private static readonly FrozenDictionary<string, byte[]> Files = ContentTypes.Keys
        .ToFrozenDictionary(name => name, ReadResource, StringComparer.Ordinal);

    public static void MapDashboard(this WebApplication app)
    {
        app.MapGet(PagePath, () => File("index.html"));
        app.MapGet(PagePath + "/{file}", (string file) => File(file));
        app.MapGet(StreamPath, (ActorSystem system, ActorRegistry registry, TimeProvider clock,
                IHostApplicationLifetime lifetime, CancellationToken requestAborted) =>
            TypedResults.ServerSentEvents(StatusStream.ReadAsync(
                cancel => StatusAssembler.AssembleAsync(system, registry, clock, cancel),
                clock, PushInterval, requestAborted, lifetime.ApplicationStopping)));
        app.MapGet(HistoryPath, async (ActorRegistry registry, CancellationToken cancel) => Results.Json(
            await registry.Get<HistorySamplerKey>().Ask<HistoryDocument>(HistorySampler.GetHistory.Instance, AskTimeout, cancel),
            StatusAssembler.Json));
    }

    private static IResult File(string name) =>
        Files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, ContentTypes[name]) : Results.NotFound();

    private static byte[] ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"embedded resource {ResourcePrefix}{name} is missing from Luban.Seed");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
