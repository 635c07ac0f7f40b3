using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Luban.FengShui.Input;

/// <summary>
/// A numeric field exactly as the client sent it (number or string). Keeping the text lets validation tell
/// "not a number" (E_NOT_NUMBER) from "too many decimals" (E_PRECISION) instead of failing JSON binding.
/// </summary>
[JsonConverter(typeof(LenientNumberConverter))]
public readonly record struct LenientNumber(string? Text)
{
    public static implicit operator LenientNumber(decimal value) => new(value.ToString(CultureInfo.InvariantCulture));

    public static LenientNumber FromDecimal(decimal value) => value;

    /// <summary>Parses the text as an invariant-culture decimal; false for empty, "NaN", words, booleans, objects.</summary>
    public bool TryGetDecimal(out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(Text))
        {
            return false;
        }
        return decimal.TryParse(Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public override string ToString() => Text ?? "";
}

/// <summary>Reads numbers and strings as text; any other JSON value becomes an unparseable number.</summary>
public sealed class LenientNumberConverter : JsonConverter<LenientNumber>
{
    public override LenientNumber Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return new LenientNumber(Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan));
            case JsonTokenType.String:
                return new LenientNumber(reader.GetString());
            default:
                reader.Skip();
                return new LenientNumber("");
        }
    }

    public override void Write(Utf8JsonWriter writer, LenientNumber value, JsonSerializerOptions options)
    {
        if (value.TryGetDecimal(out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
