using System.Globalization;
using System.Text.Json;
using Luban.FengShui;
using Luban.FengShui.Input;
using Luban.FengShui.Model;
using Luban.FengShui.Ruler;
using Luban.FengShui.Validation;
using Luban.Web.Hosting;
using Luban.Web.Storage;

namespace Luban.Web.Api;

/// <summary>The JSON API of issue 3. Bodies are read by hand so that every bad input is a 400 problem, never a 500.</summary>
public static class EvaluationEndpoints
{
    /// <summary>Largest accepted request body; a house with 30 measurements is a few kilobytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static void MapLubanApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/evaluations", CreateAsync);
        api.MapGet("/evaluations", ListAsync);
        api.MapGet("/evaluations/{id}", GetAsync);
        api.MapGet("/compare", CompareAsync);
        api.MapGet("/ruler", Ruler);
        api.MapGet("/definitions", (FengShuiEngine engine) =>
        {
            var (zh, en) = engine.Model.Disclaimer;
            var m = engine.Model;
            return Results.Json(
                new DefinitionsAnswer(m.Id, zh, en, m.Terms, m.EnvItems, m.InteriorItems, m.Exposures, m.Factors, m.HouseTypes),
                AppJsonContext.Default.DefinitionsAnswer);
        });
        app.MapGet("/healthz", (LubanSettings settings) => Results.Json(new HealthAnswer("alive", settings.Instance), AppJsonContext.Default.HealthAnswer));
        app.MapGet("/readyz", async (IEvaluationStore store, LubanSettings settings, CancellationToken ct) =>
            await store.PingAsync(ct)
                ? Results.Json(new HealthAnswer("ready", settings.Instance), AppJsonContext.Default.HealthAnswer)
                : Results.Json(new HealthAnswer("database unreachable", settings.Instance), AppJsonContext.Default.HealthAnswer, statusCode: 503));
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, FengShuiEngine engine, IEvaluationStore store, LubanSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var (request, problem) = await ReadBodyAsync(http, ct);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = engine.Evaluate(request);
        if (!outcome.IsValid)
        {
            return Problem("Invalid evaluation", "one or more fields are invalid", outcome.Errors);
        }
        var record = outcome.Result! with { Id = Guid.CreateVersion7().ToString("N"), CreatedAt = clock.GetUtcNow(), Input = request };
        await store.AddAsync(record, settings.Instance, ct);
        return Results.Json(record, AppJsonContext.Default.EvaluationResult, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<(EvaluationRequest? Request, IResult? Problem)> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return (null, BodyProblem("E_TOO_LARGE", $"request body exceeds {MaxBodyBytes} bytes"));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (null, BodyProblem("E_TOO_LARGE", $"request body exceeds {MaxBodyBytes} bytes"));
            }
        }
        if (buffer.Length == 0)
        {
            return (null, BodyProblem("E_BODY", "request body is empty"));
        }
        try
        {
            var request = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), AppJsonContext.Default.EvaluationRequest);
            return request is null ? (null, BodyProblem("E_BODY", "request body is null")) : (request, null);
        }
        catch (JsonException ex)
        {
            // Malformed JSON or a wrong JSON type (e.g. an array where an object belongs): name the JSON path.
            var field = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
            return (null, Problem("Malformed request", ex.Message.Split(". Path:")[0],
                [new FieldError(field, "E_JSON", "malformed JSON or wrong type", "JSON 格式或型別錯誤")]));
        }
        catch (InvalidOperationException ex)
        {
            return (null, BodyProblem("E_JSON", ex.Message));
        }

        IResult BodyProblem(string code, string detail) =>
            Problem("Malformed request", detail, [new FieldError("$", code, detail, detail)]);
    }

    private static async Task<IResult> ListAsync(IEvaluationStore store, int? page, int? pageSize, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (page is < 1)
        {
            errors.Add(new FieldError("page", "E_RANGE", "value must be between 1 and 1000000", "數值超出範圍 1–1000000"));
        }
        if (pageSize is < 1 or > 100)
        {
            errors.Add(new FieldError("pageSize", "E_RANGE", "value must be between 1 and 100", "數值超出範圍 1–100"));
        }
        if (errors.Count > 0)
        {
            return Problem("Invalid query", "invalid paging", errors);
        }
        return Results.Json(await store.ListAsync(page ?? 1, pageSize ?? 20, ct), AppJsonContext.Default.EvaluationPage);
    }

    private static async Task<IResult> GetAsync(string id, IEvaluationStore store, CancellationToken ct)
    {
        var record = await store.GetAsync(id, ct);
        return record is null ? NotFound(id) : Results.Json(record, AppJsonContext.Default.EvaluationResult);
    }

    private static async Task<IResult> CompareAsync(string? a, string? b, IEvaluationStore store, FengShuiEngine engine, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(a)) errors.Add(new FieldError("a", "E_REQUIRED", "a is required", "「a」為必填"));
        if (string.IsNullOrEmpty(b)) errors.Add(new FieldError("b", "E_REQUIRED", "b is required", "「b」為必填"));
        if (errors.Count > 0)
        {
            return Problem("Invalid query", "two record ids are required", errors);
        }
        var first = await store.GetAsync(a!, ct);
        var second = await store.GetAsync(b!, ct);
        if (first is null || second is null)
        {
            return NotFound(first is null ? a! : b!);
        }
        return Results.Json(engine.Compare(first, second), AppJsonContext.Default.RecordComparison);
    }

    private static IResult Ruler(string? cm, string? profile, string? element, FengShuiEngine engine)
    {
        var errors = new List<FieldError>();
        var model = engine.Model;
        decimal length = 0;
        if (string.IsNullOrEmpty(cm))
        {
            errors.Add(Error(model, "cm", "E_REQUIRED", ("field", "cm")));
        }
        else if (!new LenientNumber(cm).TryGetDecimal(out length))
        {
            errors.Add(Error(model, "cm", "E_NOT_NUMBER"));
        }
        else if (!LubanRuler.HasRulerPrecision(Math.Abs(length)))
        {
            errors.Add(Error(model, "cm", "E_PRECISION"));
        }
        else if (length is <= 0 or > 10000)
        {
            errors.Add(Error(model, "cm", "E_RANGE", ("min", "0.01"), ("max", "10000")));
        }
        var rulerProfile = model.DefaultProfile;
        if (profile is not null && !WireEnum.TryParse(profile, out rulerProfile))
        {
            errors.Add(Error(model, "profile", "E_ENUM", ("value", profile)));
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
                errors.Add(Error(model, "element", "E_ENUM", ("value", element)));
            }
        }
        if (errors.Count > 0)
        {
            return Problem("Invalid ruler query", "one or more parameters are invalid", errors);
        }
        var reading = engine.Ruler.Read(length, rulerProfile);
        var forElement = measureElement ?? MeasureElement.MAIN_DOOR;
        var score = model.Profile(rulerProfile).Kind == "WENGONG" ? model.ElementScore(forElement, reading.SectionIndex) : null;
        return Results.Json(new RulerAnswer(
            reading.Cm, reading.Profile, measureElement, reading.Cycle, reading.RemainderCm, reading.SectionIndex, reading.Section,
            reading.SectionEn, reading.SubIndex, reading.SubSection, reading.SubSectionEn, reading.Luck, reading.CellStartCm,
            reading.CellEndCm, score, reading.Flags, engine.Ruler.Suggest(length, rulerProfile, forElement)), AppJsonContext.Default.RulerAnswer);
    }

    private static FieldError Error(FengShuiModel model, string field, string code, params (string Name, string Value)[] arguments)
    {
        var (zh, en) = model.ErrorMessage(code);
        foreach (var (name, value) in arguments)
        {
            zh = zh.Replace("{" + name + "}", value, StringComparison.Ordinal);
            en = en.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return new FieldError(field, code, en, zh);
    }

    private static IResult NotFound(string id) => Results.Json(
        new ValidationProblem("about:blank", "Not found", 404, string.Create(CultureInfo.InvariantCulture, $"no record {id}"), []),
        AppJsonContext.Default.ValidationProblem, "application/problem+json", 404);

    public static IResult Problem(string title, string detail, IReadOnlyList<FieldError> errors) => Results.Json(
        new ValidationProblem("https://luban.cloud/problems/validation", title, 400, detail, errors),
        AppJsonContext.Default.ValidationProblem, "application/problem+json", 400);
}
