using System.Text.Json;
using System.Text.Json.Serialization;

namespace Luban.Cli.Output;

/// <summary>The status document's JSON form (camelCase, enums as names), the same as the admin API writes.</summary>
public static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };
}
