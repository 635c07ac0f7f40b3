using System.Runtime.CompilerServices;
using System.Text.Json;
using Luban.Protocol.Status;
using Luban.Seed.Admin;

namespace Luban.Seed.Dashboard;

/// <summary>The status document as a stream of JSON strings: one at once, then one per interval.</summary>
public static class StatusStream
{
    /// <summary>
    /// Ends without an exception when the client goes away (<paramref name="requestAborted"/>) or the seed stops
    /// (<paramref name="stopping"/>), so Kestrel's shutdown never waits on an open dashboard.
    /// </summary>
    public static async IAsyncEnumerable<string> ReadAsync(
        Func<CancellationToken, Task<StatusDocument>> assemble,
        TimeProvider clock,
        TimeSpan interval,
        CancellationToken requestAborted,
        CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken enumeration = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, stopping, enumeration);
        var cancel = linked.Token;
        while (!cancel.IsCancellationRequested)
        {
            StatusDocument document;
            try
            {
                document = await assemble(cancel);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return JsonSerializer.Serialize(document, StatusAssembler.Json);

            try
            {
                await Task.Delay(interval, clock, cancel);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
