using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Luban.Tests.Support;

/// <summary>
/// Prometheus's own tools on an exposition text: <c>promtool check metrics</c> (Debian's prometheus package) lints it,
/// and the official Python client's text-format parser (python3-prometheus-client) reads it back into samples. Both are
/// installed by <c>./luban test</c>; a missing one fails the test naming its package.
/// </summary>
public static class PrometheusText
{
    private const string Promtool = "/usr/bin/promtool";

    // Reads the text from stdin, prints one JSON line per sample: [family, type, sample name, labels, value].
    private const string ParserScript = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                print(json.dumps([family.name, family.type, s.name, s.labels, repr(float(s.value))]))
        """;

    /// <summary>A sample as the parser read it.</summary>
    public sealed record Sample(string Family, string Type, string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
    }

    /// <summary>Fails with promtool's own words unless the text passes its linter.</summary>
    public static void AssertLintClean(string text)
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} missing: apt-get install prometheus (./luban test installs it)");
        var (code, output, error) = Run(Promtool, ["check", "metrics"], text);
        Assert.True(code == 0 && output.Trim().Length == 0 && error.Trim().Length == 0,
            $"promtool check metrics: exit {code}\n{output}{error}\n--- the text ---\n{text}");
    }

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var (code, output, error) = Run("/usr/bin/python3", ["-c", ParserScript], text);
        Assert.True(code == 0, error.Contains("No module named", StringComparison.Ordinal)
            ? $"python3-prometheus-client missing: apt-get install python3-prometheus-client (./luban test installs it)\n{error}"
            : $"the Prometheus text parser refused the text: {error}\n--- the text ---\n{text}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var row = JsonDocument.Parse(line).RootElement;
            var labels = row[3].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
            var value = row[4].GetString() switch
            {
                "inf" => double.PositiveInfinity,
                "-inf" => double.NegativeInfinity,
                "nan" => double.NaN,
                var number => double.Parse(number!, CultureInfo.InvariantCulture),
            };
            return new Sample(row[0].GetString()!, row[1].GetString()!, row[2].GetString()!, labels, value);
        }).ToList();
    }

    private static (int Code, string Output, string Error) Run(string program, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
