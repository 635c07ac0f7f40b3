using System.Reflection;
using Luban.FengShui;
using Luban.FengShui.Validation;
using Luban.Web.Accounts;
using Luban.Web.Api;
using Luban.Web.Records;
using Luban.Web.Security;
using Luban.Web.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Luban.Web.Hosting;

/// <summary>Composition of the service in one place, shared by Program and the tests.</summary>
public static class LubanApp
{
    public const string InstanceHeader = "X-Luban-Instance";

    /// <summary>Largest request body Kestrel accepts at all; each endpoint has its own, smaller limit.</summary>
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>Builds the app; throws <see cref="InvalidSettingException"/> for bad configuration.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        var settings = LubanSettings.From(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Start-up failures are reported by Program in one line; the host's own multi-line dump would bury it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        // "No XML encryptor configured": the key ring lives in the records database, whose access is the protection.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // A failed token check is answered (403) and counted by the client; one warning per forged request is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Antiforgery", LogLevel.Error);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(FengShuiEngine.Default);
        builder.Services.AddSingleton(LubanDatabase.Create(settings));
        builder.Services.AddSingleton<RecordStore>();
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<DatabaseXmlRepository>();
        builder.Services.AddSingleton(new PasswordHasher<Account>(Options.Create(new PasswordHasherOptions { IterationCount = settings.PasswordIterations })));
        builder.Services.AddHostedService<RequestPurge>();
        builder.Services.AddLubanSessions(settings);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Luban.Web");
        app.Use(async (context, next) =>
        {
            // Set before anything runs so that 4xx, 5xx and static files all name the instance that answered.
            SecurityHeaders.Apply(context.Response, settings.Instance);
            try
            {
                await next(context);
            }
            catch (Exception error) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                context.Response.Clear();
                SecurityHeaders.Apply(context.Response, settings.Instance);
                await Answer(error).ExecuteAsync(context);
            }

            IResult Answer(Exception error)
            {
                switch (error)
                {
                    case DatabaseUnavailableException:
                        // Reads that need no database keep answering; what needs it waits for it, never a 500.
                        return Problems.DatabaseUnavailable();
                    case BadHttpRequestException bad:
                        return bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                            ? Problems.BadRequest("Request too large", "$", "E_TOO_LARGE", ("max", MaxRequestBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                            : Problems.BadRequest("Bad request", "$", "E_BODY");
                    default:
                        logger.LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                        return Problems.Status(500, "Internal error", [new FieldError("$", "E_INTERNAL", "the server failed to answer", "伺服器發生錯誤")]);
                }
            }
        });
        app.UseAuthentication();
        app.UseMiddleware<ForgeryGuard>();
        var pages = new EmbeddedFileProvider(Assembly.GetExecutingAssembly(), "Luban.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = pages });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = pages });
        app.MapLubanApi();
        return app;
    }

    /// <summary>
    /// Creates the schema and makes sure the shared key ring holds a current key — both under the database's schema
    /// lock, so instances starting together agree on one key — loads the key ring, then starts listening.
    /// </summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var database = app.Services.GetRequiredService<LubanDatabase>();
        var keys = app.Services.GetRequiredService<IKeyManager>();
        var clock = app.Services.GetRequiredService<TimeProvider>();
        await database.InitializeAsync(async connection =>
        {
            await Schema.CreateAsync(connection, cancellationToken);
            EnsureCurrentKey(keys, clock.GetUtcNow());
        }, cancellationToken);
        // Read the key ring now, while the database answers; it is then cached (and kept through an outage).
        Microsoft.AspNetCore.DataProtection.DataProtectionCommonExtensions
            .CreateProtector(app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(), "luban-start")
            .Protect([1]);
        await app.StartAsync(cancellationToken);
    }

    // A key valid for at least the next two days (Data Protection's own propagation margin), else a new 90-day key.
    private static void EnsureCurrentKey(IKeyManager keys, DateTimeOffset now)
    {
        var margin = TimeSpan.FromDays(2);
        if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now + margin))
        {
            keys.CreateNewKey(now, now.AddDays(90));
        }
    }
}
