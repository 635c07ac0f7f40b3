using System.Globalization;
using System.Text;

namespace Luban.Load.Figure15;

/// <summary>The run as CSV: one row per sample (VM connections in wide columns), and one row per scaling event.</summary>
public static class Figure15Csv
{
    /// <summary>
    /// <c>t_s,clients,req_per_s,failed,vms_in_service,&lt;vm&gt;...</c>: connections per VM, empty when the VM is not
    /// running; VM columns in order of first appearance; status columns empty when the status was missing.
    /// </summary>
    public static string Samples(Timeline timeline)
    {
        var vms = timeline.VmsInOrderOfAppearance();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', new[] { "t_s", "clients", "req_per_s", "failed", "vms_in_service" }.Concat(vms.Select(Field))));
        foreach (var sample in timeline.Samples)
        {
            var row = new List<string>
            {
                Number(sample.T),
                sample.Clients.ToString(CultureInfo.InvariantCulture),
                Number(sample.RequestsPerSecond),
                sample.Failed.ToString(CultureInfo.InvariantCulture),
                sample.VmsInService?.ToString(CultureInfo.InvariantCulture) ?? "",
            };
            row.AddRange(vms.Select(vm => sample.ConnectionsOf(vm)?.ToString(CultureInfo.InvariantCulture) ?? ""));
            csv.AppendLine(string.Join(',', row));
        }

        return csv.ToString();
    }

    /// <summary><c>t_s,kind,vm,host,rule,reason</c>, one row per event of the run, in time order.</summary>
    public static string Events(Timeline timeline)
    {
        var csv = new StringBuilder();
        csv.AppendLine("t_s,kind,vm,host,rule,reason");
        foreach (var e in timeline.Events)
            csv.AppendLine(string.Join(',', Number(e.T), Field(e.Kind), Field(e.Vm ?? ""), Field(e.Host ?? ""),
                Field(e.Rule), Field(e.Reason)));
        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    // RFC 4180: quote a field that holds a comma, a quote or a line break, doubling its quotes.
    private static string Field(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"")}\"";
}
