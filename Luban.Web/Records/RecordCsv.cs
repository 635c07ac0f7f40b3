using System.Globalization;
using System.Text;
using Luban.FengShui.Model;
using Luban.FengShui.Scoring;

namespace Luban.Web.Records;

/// <summary>
/// The CSV export of one's records (RFC 4180: comma, CRLF, quotes doubled), UTF-8 with a byte-order mark so that
/// spreadsheet programs read the Chinese labels. A text cell that a spreadsheet would run as a formula (starting with
/// =, +, -, @, tab or CR) is prefixed with an apostrophe.
/// </summary>
public static class RecordCsv
{
    public static readonly string[] Columns =
        ["id", "created_at", "label", "house_type", "model", "ruler_profile", "total", "grade", "ENV", "WATER_ROAD", "EXTERIOR", "INTERIOR", "LUBAN", "shared"];

    public static string Header => string.Join(',', Columns) + "\r\n";

    public static string Row(EvaluationResult record, bool shared)
    {
        var cells = new List<string>
        {
            record.Id ?? "",
            record.CreatedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "",
            Text(record.Label ?? ""),
            record.HouseType.ToString(),
            Text(record.Model),
            record.RulerProfile.ToString(),
            Number(record.Total),
            record.Grade.ToString(),
        };
        cells.AddRange(Enum.GetValues<Category>().Select(c => Number(record.Categories[c].Score)));
        cells.Add(shared ? "yes" : "no");
        return string.Join(',', cells.Select(Quote)) + "\r\n";
    }

    public static string Write(IEnumerable<(EvaluationResult Record, bool Shared)> rows)
    {
        var text = new StringBuilder(Header);
        foreach (var (record, shared) in rows)
        {
            text.Append(Row(record, shared));
        }
        return text.ToString();
    }

    private static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
