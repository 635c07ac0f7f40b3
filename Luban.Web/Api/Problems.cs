using System.Globalization;
using System.Text.Json.Serialization;
using Luban.FengShui.Validation;
using Luban.Web.Hosting;

namespace Luban.Web.Api;

/// <summary>
/// RFC 7807 problem details with the field errors of §8 as an extension member. Details are our own sentences, never
/// an exception's message, so no framework type name reaches a client.
/// </summary>
public sealed record ValidationProblem(string Type, string Title, int Status, string Detail, IReadOnlyList<FieldError> Errors)
{
    /// <summary>With 429 and 503: the seconds also sent as Retry-After.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RetryAfterSeconds { get; init; }
}

public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static IResult Status(int status, string title, IReadOnlyList<FieldError> errors, int? retryAfterSeconds = null)
    {
        var detail = errors.Count > 0 ? errors[0].Message : title;
        var problem = new ValidationProblem(
            status == 400 ? "https://luban.cloud/problems/validation" : "about:blank", title, status, detail, errors)
        {
            RetryAfterSeconds = retryAfterSeconds,
        };
        var json = Results.Json(problem, AppJsonContext.Default.ValidationProblem, ContentType, status);
        return retryAfterSeconds is { } seconds ? new WithRetryAfter(json, seconds) : json;
    }

    public static IResult BadRequest(string title, IReadOnlyList<FieldError> errors) => Status(400, title, errors);

    public static IResult BadRequest(string title, string field, string code, params (string, string)[] arguments) =>
        Status(400, title, [WebMessages.Field(field, code, arguments)]);

    public static IResult SignedOut() => Status(401, "Not signed in", [WebMessages.Field("session", "E_SIGNED_OUT")]);

    public static IResult NotFound(string field = "id") => Status(404, "Not found", [WebMessages.Field(field, "E_NOT_FOUND")]);

    public static IResult DatabaseUnavailable() => Status(503, "Records database unavailable",
        [WebMessages.Field("database", "E_DATABASE", ("seconds", LubanSettings.DatabaseRetryAfterSeconds.ToString(CultureInfo.InvariantCulture)))],
        LubanSettings.DatabaseRetryAfterSeconds);

    private sealed class WithRetryAfter(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
