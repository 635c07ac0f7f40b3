using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Luban.Web.Api;

/// <summary>
/// Request bodies read by hand: a size limit, then the source-generated deserializer, so that every bad body is a
/// 400 problem naming where it went wrong, never a 500 or a framework message.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var max = maxBytes.ToString(CultureInfo.InvariantCulture);
        if (http.Request.ContentLength > maxBytes)
        {
            return (null, Problems.BadRequest("Request too large", "$", "E_TOO_LARGE", ("max", max)));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                return (null, Problems.BadRequest("Request too large", "$", "E_TOO_LARGE", ("max", max)));
            }
        }
        if (buffer.Length == 0)
        {
            return (null, Problems.BadRequest("Malformed request", "$", "E_BODY"));
        }
        try
        {
            var value = JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), type);
            return value is null ? (null, Problems.BadRequest("Malformed request", "$", "E_BODY")) : (value, null);
        }
        catch (JsonException ex)
        {
            // Malformed JSON or a wrong JSON type (e.g. an array where an object belongs): name the JSON path only.
            return (null, Problems.BadRequest("Malformed request", string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path, "E_JSON"));
        }
        catch (InvalidOperationException)
        {
            return (null, Problems.BadRequest("Malformed request", "$", "E_JSON"));
        }
    }
}
