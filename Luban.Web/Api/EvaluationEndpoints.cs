using System.Text.Json;
using Luban.FengShui;
using Luban.FengShui.Examples;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Validation;
using Luban.Web.Accounts;
using Luban.Web.Hosting;
using Luban.Web.Records;
using Luban.Web.Storage;

namespace Luban.Web.Api;

/// <summary>
/// Evaluate (and, signed in, save) a house; the Luban ruler; the definitions and examples the pages are built from;
/// health. Bodies are read by hand so that every bad input is a 400 problem, never a 500.
/// </summary>
public static class EvaluationEndpoints
{
    /// <summary>Largest accepted evaluation body; a house with 30 measurements is a few kilobytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static void MapLubanApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/evaluations", CreateAsync);
        api.MapGet("/ruler", Ruler);
        api.MapGet("/definitions", (FengShuiEngine engine) =>
        {
            var (zh, en) = engine.Model.Disclaimer;
            var m = engine.Model;
            return Results.Json(
                new DefinitionsAnswer(m.Id, zh, en, m.Terms, m.EnvItems, m.InteriorItems, m.Exposures, m.Factors, m.HouseTypes, m.DefaultProfile),
                AppJsonContext.Default.DefinitionsAnswer);
        });
        api.MapGet("/examples", () => Results.Json(PaperHouses.All, AppJsonContext.Default.IReadOnlyListHouseExample));
        api.MapAccountApi();
        api.MapRecordApi();

        // Liveness, and readiness = can this instance serve: neither follows the database, so a database outage takes
        // no VM out of the front door's rotation. /dbz is the database's own signal.
        app.MapGet("/healthz", (LubanSettings settings) => Results.Json(new HealthAnswer("alive", settings.Instance), AppJsonContext.Default.HealthAnswer));
        app.MapGet("/readyz", (LubanSettings settings, IHostApplicationLifetime lifetime) => lifetime.ApplicationStopping.IsCancellationRequested
            ? Results.Json(new HealthAnswer("stopping", settings.Instance), AppJsonContext.Default.HealthAnswer, statusCode: 503)
            : Results.Json(new HealthAnswer("ready", settings.Instance), AppJsonContext.Default.HealthAnswer));
        app.MapGet("/dbz", async (LubanDatabase database, LubanSettings settings, CancellationToken ct) => await database.PingAsync(ct)
            ? Results.Json(new HealthAnswer("up", settings.Instance), AppJsonContext.Default.HealthAnswer)
            : Results.Json(new HealthAnswer("down", settings.Instance), AppJsonContext.Default.HealthAnswer, statusCode: 503));
    }

    /// <summary>
    /// Scores the house. Signed in: stores it (201 with its id), honouring Idempotency-Key. Anonymous: answers the same
    /// body with <c>"saved": false</c> and no id (200), and stores nothing.
    /// </summary>
    private static async Task<IResult> CreateAsync(
        HttpContext http, FengShuiEngine engine, RecordStore records, LubanSettings settings, TimeProvider clock, CancellationToken ct)
    {
        if (!IdempotencyKey.TryRead(http.Request.Headers[IdempotencyKey.Header], out var key))
        {
            return Problems.BadRequest("Invalid header", IdempotencyKey.Header, "E_IDEMPOTENCY_KEY");
        }
        var (request, problem) = await JsonBody.ReadAsync(http, AppJsonContext.Default.EvaluationRequest, MaxBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = engine.Evaluate(request);
        if (!outcome.IsValid)
        {
            return Problems.BadRequest("Invalid evaluation", outcome.Errors);
        }
        var now = clock.GetUtcNow();
        var result = outcome.Result! with { CreatedAt = now, Input = request };
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Results.Json(result with { Saved = false }, AppJsonContext.Default.EvaluationResult);
        }
        var record = result with { Id = Guid.CreateVersion7(now).ToString("N") };
        var bodyHash = key is null ? null : IdempotencyKey.BodyHash(JsonSerializer.Serialize(request!, AppJsonContext.Default.EvaluationRequest));
        var saved = await records.SaveAsync(owner, record, settings.Instance, key, bodyHash, ct);
        switch (saved.Status)
        {
            case SaveStatus.KeyReused:
                return Problems.Status(422, "Idempotency-Key reused", [WebMessages.Field(IdempotencyKey.Header, "E_IDEMPOTENCY_REUSED")]);
            case SaveStatus.KeyRecordDeleted:
                return Problems.Status(409, "Record deleted", [WebMessages.Field(IdempotencyKey.Header, "E_IDEMPOTENCY_GONE")]);
            case SaveStatus.Replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                break;
        }
        return Results.Json(saved.Record!, AppJsonContext.Default.EvaluationResult, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Ruler(string? cm, string? profile, string? element, FengShuiEngine engine)
    {
        var errors = new List<FieldError>();
        var model = engine.Model;
        decimal length = 0;
        if (string.IsNullOrEmpty(cm))
        {
            errors.Add(WebMessages.Field("cm", "E_REQUIRED", ("field", "cm")));
        }
        else if (!new LenientNumber(cm).TryGetDecimal(out length))
        {
            errors.Add(WebMessages.Field("cm", "E_NOT_NUMBER"));
        }
        else if (!LubanRuler.HasRulerPrecision(Math.Abs(length)))
        {
            errors.Add(WebMessages.Field("cm", "E_PRECISION"));
        }
        else if (length is <= 0 or > 10000)
        {
            errors.Add(WebMessages.Field("cm", "E_RANGE", ("min", "0.01"), ("max", "10000")));
        }
        var rulerProfile = model.DefaultProfile;
        if (profile is not null && !WireEnum.TryParse(profile, out rulerProfile))
        {
            errors.Add(WebMessages.Field("profile", "E_ENUM", ("value", profile)));
        }
        MeasureElement? measureElement = null;
        if (element is not null)
        {
            if (WireEnum.TryParse<MeasureElement>(element, out var parsed))
            {
                measureElement = parsed;
            }
            else
            {
                errors.Add(WebMessages.Field("element", "E_ENUM", ("value", element)));
            }
        }
        if (errors.Count > 0)
        {
            return Problems.BadRequest("Invalid ruler query", errors);
        }
        var reading = engine.Ruler.Read(length, rulerProfile);
        var forElement = measureElement ?? MeasureElement.MAIN_DOOR;
        var score = model.Profile(rulerProfile).Kind == "WENGONG" ? model.ElementScore(forElement, reading.SectionIndex) : null;
        return Results.Json(new RulerAnswer(
            reading.Cm, reading.Profile, measureElement, reading.Cycle, reading.RemainderCm, reading.SectionIndex, reading.Section,
            reading.SectionEn, reading.SubIndex, reading.SubSection, reading.SubSectionEn, reading.Luck, reading.CellStartCm,
            reading.CellEndCm, score, reading.Flags, engine.Ruler.Suggest(length, rulerProfile, forElement),
            engine.Ruler.LuckyRanges(length, rulerProfile)), AppJsonContext.Default.RulerAnswer);
    }
}
