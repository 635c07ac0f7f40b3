namespace Luban.Cli.Output;

/// <summary>Rows printed in aligned columns, two spaces apart; the last column is never padded.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public Table Add(params string[] cells)
    {
        if (cells.Length != headers.Length)
            throw new ArgumentException($"a row needs {headers.Length} cells, got {cells.Length}", nameof(cells));
        _rows.Add(cells);
        return this;
    }

    /// <param name="minimumWidths">widths to keep even when the values are narrower, so followed output stays aligned.</param>
    public void WriteTo(TextWriter output, bool withHeader = true, IReadOnlyList<int>? minimumWidths = null)
    {
        var widths = headers.Select((h, i) => Math.Max(minimumWidths?.ElementAtOrDefault(i) ?? 0,
            _rows.Select(r => r[i].Length).Prepend(h.Length).Max())).ToArray();
        if (withHeader) WriteRow(output, headers, widths);
        foreach (var row in _rows) WriteRow(output, row, widths);
    }

    private static void WriteRow(TextWriter output, string[] cells, int[] widths)
    {
        var padded = cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]));
        output.WriteLine(string.Join("  ", padded).TrimEnd());
    }
}
