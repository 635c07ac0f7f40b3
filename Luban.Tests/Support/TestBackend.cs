using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Luban.Tests.Support;

/// <summary>
/// A real Kestrel backend on a loopback port: <c>/readyz</c> answers 200 or 503 as the test says, every other path
/// answers after a short delay with the instance header, and requests are counted.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _served;
    private volatile bool _ready;
    private int _inFlight;
    private long _readyProbes;

    private TestBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }
    public Uri Url { get; private set; } = null!;
    public long Served => Interlocked.Read(ref _served);
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How often <c>/readyz</c> was asked (the front door's active health check).</summary>
    public long ReadyProbes => Interlocked.Read(ref _readyProbes);

    public bool Ready
    {
        get => _ready;
        set => _ready = value;
    }

    public static async Task<TestBackend> StartAsync(string name, bool ready = true, TimeSpan? work = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new TestBackend(name, app) { _ready = ready };
        var delay = work ?? TimeSpan.FromMilliseconds(5);
        app.MapGet("/readyz", () =>
        {
            Interlocked.Increment(ref backend._readyProbes);
            return backend._ready ? Results.Text("ready") : Results.StatusCode(503);
        });
        app.MapFallback(async (HttpContext context) =>
        {
            Interlocked.Increment(ref backend._inFlight);
            try
            {
                await Task.Delay(delay);
                Interlocked.Increment(ref backend._served);
                context.Response.Headers["X-Luban-Instance"] = name;
                await context.Response.WriteAsync($"served by {name}\n");
            }
            finally
            {
                Interlocked.Decrement(ref backend._inFlight);
            }
        });
        await app.StartAsync();
        backend.Url = new Uri(app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        return backend;
    }

    /// <summary>Stops at once: open connections are aborted, as when a VM dies.</summary>
    public Task KillAsync() => _app.StopAsync(new CancellationToken(canceled: true));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }
}
