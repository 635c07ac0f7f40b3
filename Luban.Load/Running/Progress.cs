using System.Globalization;

namespace Luban.Load.Running;

/// <summary>
/// The once-a-second progress line on stderr: rewritten in place with <c>\r</c> on a terminal, one line per second
/// otherwise (a log file or a CI job should not fill with carriage returns).
/// </summary>
public sealed class Progress(TextWriter error, bool rewriteInPlace)
{
    private int _lastLength;

    public static string Format(double elapsedSeconds, double totalSeconds, string phase, int clients, long requests,
        double requestsPerSecond, long failed, int? vmsInService) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{elapsedSeconds,5:0}/{totalSeconds:0} s  {phase,-12}  clients {clients,4}  requests {requests,8}  " +
            $"req/s {requestsPerSecond,6:0}  failed {failed}") +
        (vmsInService is { } count ? $"  in service {count}" : "");

    public void Show(string line)
    {
        if (!rewriteInPlace)
        {
            error.WriteLine(line);
            return;
        }

        error.Write("\r" + line.PadRight(_lastLength));
        error.Flush();
        _lastLength = line.Length;
    }

    /// <summary>Ends the rewritten line so what follows starts on a fresh one.</summary>
    public void Finish()
    {
        if (!rewriteInPlace || _lastLength == 0) return;
        error.WriteLine();
        _lastLength = 0;
    }
}
