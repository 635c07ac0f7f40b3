using System.Text.Json;
using System.Text.Json.Serialization;

namespace Luban.Protocol;

/// <summary>A physical host of the cluster, as the operator names it: "A" (front end), "B", "C", …</summary>
[JsonConverter(typeof(HostIdJsonConverter))]
public readonly partial record struct HostId(string Value)
{
    /// <summary>A capital letter, then up to 15 capitals, digits or '-'.</summary>
    public static bool IsValid([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value) => value is not null && Pattern().IsMatch(value);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Z][A-Z0-9-]{0,15}$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();

    public override string ToString() => Value;
}

/// <summary>A virtual machine, named <c>luban-&lt;host&gt;-&lt;n&gt;</c> in libvirt.</summary>
[JsonConverter(typeof(VmIdJsonConverter))]
public readonly record struct VmId(string Value)
{
    public override string ToString() => Value;

    public static VmId For(HostId host, int index) => new($"luban-{host.Value.ToLowerInvariant()}-{index}");
}

/// <summary>Ids travel as plain JSON strings, in messages and in the status document alike.</summary>
public sealed class HostIdJsonConverter : JsonConverter<HostId>
{
    public override HostId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("a host id must be a string"));

    public override void Write(Utf8JsonWriter writer, HostId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}

public sealed class VmIdJsonConverter : JsonConverter<VmId>
{
    public override VmId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("a VM id must be a string"));

    public override void Write(Utf8JsonWriter writer, VmId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
