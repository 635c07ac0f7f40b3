using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Luban.FengShui;
using Luban.FengShui.Comparison;
using Luban.FengShui.Model;
using Luban.FengShui.Scoring;
using Luban.FengShui.Validation;
using Luban.Web.Accounts;
using Luban.Web.Api;
using Luban.Web.Hosting;

namespace Luban.Web.Records;

public sealed record LabelChange(string? Label);

public sealed record ShareAnswer(string Url, string Path, string Token);

/// <summary>
/// The comparison of two to four records. The top-level members are the first pair's (records[0] against records[1]),
/// as <c>GET /api/compare?a=&amp;b=</c> always answered; <c>records</c> and <c>deltas</c> cover every record.
/// </summary>
public sealed record CompareAnswer(
    string? A,
    string? B,
    decimal TotalA,
    decimal TotalB,
    decimal TotalDelta,
    Grade GradeA,
    Grade GradeB,
    bool SameBasis,
    IReadOnlyList<Warning> Warnings,
    IReadOnlyList<CategoryDelta> Categories,
    IReadOnlyList<ItemDelta> Items,
    IReadOnlyList<ComparedRecord> Records,
    IReadOnlyList<RecordComparison> Deltas,
    bool Recomputed,
    string CurrentModel,
    RulerProfileId CurrentProfile);

/// <summary>
/// A signed-in user's own records: list with search, filters, order and pages; open, rename, delete; share read-only
/// through a revocable link; export; compare. A record that is not the caller's — another account's, or any record
/// for an anonymous caller — answers 404 exactly like a missing one; the list and the CSV export answer 401 anonymous.
/// </summary>
public static class RecordEndpoints
{
    private const int MaxLabelBodyBytes = 4 * 1024;
    private const int ShareTokenBytes = 32;

    public static void MapRecordApi(this RouteGroupBuilder api)
    {
        api.MapGet("/evaluations", ListAsync);
        api.MapGet("/evaluations/export.csv", ExportCsvAsync);
        api.MapGet("/evaluations/{id}", GetAsync);
        api.MapGet("/evaluations/{id}/export.json", ExportJsonAsync);
        api.MapMethods("/evaluations/{id}", [HttpMethods.Patch], RenameAsync);
        api.MapDelete("/evaluations/{id}", DeleteAsync);
        api.MapPost("/evaluations/{id}/share", ShareAsync);
        api.MapDelete("/evaluations/{id}/share", UnshareAsync);
        api.MapGet("/shared/{token}", SharedAsync);
        api.MapGet("/compare", CompareAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.SignedOut();
        }
        var q = http.Request.Query;
        var (query, errors) = RecordQuery.Parse(q["q"], q["grade"], q["houseType"], q["sort"], q["page"], q["pageSize"]);
        if (query is null)
        {
            return Problems.BadRequest("Invalid query", errors);
        }
        return Results.Json(await records.ListAsync(owner, query, ct), AppJsonContext.Default.EvaluationPage);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        return await records.GetAsync(owner, id, ct) is { } found
            ? Results.Json(found.Record, AppJsonContext.Default.EvaluationResult)
            : Problems.NotFound();
    }

    private static async Task<IResult> ExportJsonAsync(string id, HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        if (await records.GetAsync(owner, id, ct) is not { } found)
        {
            return Problems.NotFound();
        }
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"luban-record-{SafeFileName(id)}.json\"";
        return Results.Json(found.Record, AppJsonContext.Default.EvaluationResult);
    }

    private static async Task<IResult> ExportCsvAsync(HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.SignedOut();
        }
        var csv = RecordCsv.Write(await records.ExportAsync(owner, ct));
        http.Response.Headers.ContentDisposition = "attachment; filename=\"luban-records.csv\"";
        // The byte-order mark lets spreadsheet programs read the file as UTF-8.
        return Results.Bytes([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)], "text/csv; charset=utf-8");
    }

    private static async Task<IResult> RenameAsync(string id, HttpContext http, RecordStore records, FengShuiEngine engine, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        var (change, problem) = await JsonBody.ReadAsync(http, AppJsonContext.Default.LabelChange, MaxLabelBodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (engine.Validator.LabelError(change!.Label) is { } error)
        {
            return Problems.BadRequest("Invalid label", [error]);
        }
        if (!await records.RenameAsync(owner, id, HouseValidator.NormalizeLabel(change.Label), ct))
        {
            return Problems.NotFound();
        }
        return await GetAsync(id, http, records, ct);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        return await records.DeleteAsync(owner, id, ct) ? Results.NoContent() : Problems.NotFound();
    }

    private static async Task<IResult> ShareAsync(string id, HttpContext http, RecordStore records, LubanSettings settings, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        var token = await records.ShareAsync(owner, id, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ShareTokenBytes)), ct);
        if (token is null)
        {
            return Problems.NotFound();
        }
        // The token travels in the URL fragment: browsers never send it to a server, in a request or a Referer.
        var path = $"/#/shared/{token}";
        var origin = settings.PublicUrl is { } publicUrl
            ? publicUrl.GetLeftPart(UriPartial.Authority)
            : $"{http.Request.Scheme}://{http.Request.Host}";
        return Results.Json(new ShareAnswer(origin + path, path, token), AppJsonContext.Default.ShareAnswer);
    }

    private static async Task<IResult> UnshareAsync(string id, HttpContext http, RecordStore records, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound();
        }
        return await records.UnshareAsync(owner, id, ct) ? Results.NoContent() : Problems.NotFound();
    }

    /// <summary>A shared record, read-only, for anyone with the link; without its id (which would mean nothing to them).</summary>
    private static async Task<IResult> SharedAsync(string token, RecordStore records, CancellationToken ct)
    {
        if (token.Length != 43 || !Base64Url.IsValid(token))
        {
            return Problems.NotFound("token");
        }
        return await records.GetSharedAsync(token, ct) is { } record
            ? Results.Json(record with { Id = null }, AppJsonContext.Default.EvaluationResult)
            : Problems.NotFound("token");
    }

    private static async Task<IResult> CompareAsync(HttpContext http, RecordStore records, FengShuiEngine engine, CancellationToken ct)
    {
        if (Sessions.AccountId(http.User) is not { } owner)
        {
            return Problems.NotFound("ids");
        }
        var q = http.Request.Query;
        // ids=a,b[,c,d]; a=&b= is the older two-record form.
        var ids = ((string?)q["ids"] ?? string.Join(',', new[] { (string?)q["a"], (string?)q["b"] }.Where(x => !string.IsNullOrEmpty(x))))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = new List<FieldError>();
        if (ids.Length is < MultiComparer.MinRecords or > MultiComparer.MaxRecords)
        {
            errors.Add(WebMessages.Field("ids", "E_COUNT",
                ("min", MultiComparer.MinRecords.ToString(CultureInfo.InvariantCulture)), ("max", MultiComparer.MaxRecords.ToString(CultureInfo.InvariantCulture))));
        }
        else if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
        {
            errors.Add(WebMessages.Field("ids", "E_DUPLICATE"));
        }
        var recompute = (string?)q["recompute"] is "1" or "true";
        var profile = engine.Model.DefaultProfile;
        if ((string?)q["profile"] is { Length: > 0 } profileText
            && !(WireEnum.TryParse(profileText, out profile) && engine.Model.Profile(profile).Kind == "WENGONG"))
        {
            errors.Add(WebMessages.Field("profile", "E_ENUM", ("value", profileText)));
        }
        if (errors.Count > 0)
        {
            return Problems.BadRequest("Invalid query", errors);
        }
        var found = new List<EvaluationResult>();
        foreach (var id in ids)
        {
            if (await records.GetAsync(owner, id, ct) is not { } record)
            {
                return Problems.NotFound("ids");
            }
            found.Add(record.Record);
        }
        var recomputed = new HashSet<string?>(StringComparer.Ordinal);
        if (recompute)
        {
            for (var i = 0; i < found.Count; i++)
            {
                if (RecordRecompute.Recompute(engine, found[i], profile) is { } again)
                {
                    found[i] = again;
                    recomputed.Add(again.Id);
                }
            }
        }
        var comparison = MultiComparer.Compare(engine.Comparer, found, recomputed);
        var first = comparison.Deltas[0];
        return Results.Json(new CompareAnswer(
            first.A, first.B, first.TotalA, first.TotalB, first.TotalDelta, first.GradeA, first.GradeB, comparison.SameBasis,
            comparison.Warnings, first.Categories, first.Items, comparison.Records, comparison.Deltas, recompute, engine.Model.Id, profile),
            AppJsonContext.Default.CompareAnswer);
    }

    private static string SafeFileName(string id) => new([.. id.Where(char.IsAsciiLetterOrDigit).Take(40)]);
}
