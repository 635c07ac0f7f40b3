using System.Reflection;
using Luban.FengShui;
using Luban.Web.Api;
using Luban.Web.Storage;
using Microsoft.Extensions.FileProviders;

namespace Luban.Web.Hosting;

/// <summary>Composition of the service in one place, shared by Program and the tests.</summary>
public static class LubanApp
{
    public const string InstanceHeader = "X-Luban-Instance";

    /// <summary>Builds the app; throws <see cref="InvalidSettingException"/> for bad configuration.</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var settings = LubanSettings.From(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Start-up failures are reported by Program in one line; the host's own multi-line dump would bury it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(FengShuiEngine.Default);
        builder.Services.AddSingleton<IEvaluationStore>(settings.Store == StoreKind.Postgres
            ? new PostgresEvaluationStore(settings.ConnectionString)
            : new SqliteEvaluationStore(settings.ConnectionString));

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            // Set before anything runs so that 4xx, 5xx and static files all name the instance that answered.
            context.Response.Headers[InstanceHeader] = settings.Instance;
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.Headers[InstanceHeader] = settings.Instance;
                await EvaluationEndpoints.Problem("Bad request", ex.Message, []).ExecuteAsync(context);
            }
        });
        var pages = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), "Luban.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapLubanApi();
        return app;
    }

    /// <summary>Creates the schema (idempotent, safe when several instances start together) and starts listening.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<IEvaluationStore>().InitializeAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
    }
}
