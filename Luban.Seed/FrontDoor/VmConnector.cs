using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Luban.Seed.FrontDoor;

/// <summary>
/// Opens the front door's connections to the VMs (the forwarder's <see cref="SocketsHttpHandler.ConnectCallback"/>).
/// Two limits a plain handler lacks:
/// <list type="bullet">
/// <item>At most <c>connect-concurrency</c> connection attempts per VM at once. A VM's port forward under QEMU user-mode
/// networking listens with a backlog of 1: a burst of connects (a VM just entering service gets the next requests under
/// least-requests) overflows it, the kernel drops the extra SYNs, and their retransmits back off 1, 3, 7, 15, 31 s —
/// a request could wait half a minute for its connection.</item>
/// <item>An attempt that has no connection after <c>connect-timeout</c> (waiting for its turn included) fails as a
/// timed-out connect, which the forwarder retries on another VM: the request never reached this one.</item>
/// </list>
/// </summary>
public sealed class VmConnector(TimeSpan timeout, int concurrency)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _turns = new(StringComparer.Ordinal);
    private int _connecting;
    private int _peakConnecting;

    /// <summary>The most attempts that were connecting at once, over all VMs (for tests and diagnostics).</summary>
    public int PeakConnecting => Volatile.Read(ref _peakConnecting);

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
    {
        var endpoint = context.DnsEndPoint;
        var turn = _turns.GetOrAdd($"{endpoint.Host}:{endpoint.Port}", _ => new SemaphoreSlim(concurrency, concurrency));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var entered = false;
        try
        {
            await turn.WaitAsync(deadline.Token).ConfigureAwait(false);
            entered = true;
            var now = Interlocked.Increment(ref _connecting);
            try
            {
                for (var peak = Volatile.Read(ref _peakConnecting); now > peak; peak = Volatile.Read(ref _peakConnecting))
                    if (Interlocked.CompareExchange(ref _peakConnecting, now, peak) == peak) break;
                await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _connecting);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        finally
        {
            if (entered) turn.Release();
        }
    }
}
