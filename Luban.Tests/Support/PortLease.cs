using System.Net;
using System.Net.Sockets;

namespace Luban.Tests.Support;

/// <summary>
/// A block of loopback ports for a real guest's port forwards, held until disposed. QEMU's user-mode forwards
/// (hostfwd) take a fixed host port: QEMU cannot bind port 0 and report the port it got, so the usual "bind 0 and
/// read it back" is not possible there. Instead each block has a lock file under <see cref="LockDirectory"/>, taken
/// exclusively (flock) for the lease's life, so no other test run on the machine hands out the same block; each port
/// is also checked free by a bind. Blocks lie below the ephemeral range (32768+, where outgoing connections take their
/// local ports) and above the clusters' forward ports (20000 + 100 per host).
/// </summary>
public sealed class PortLease : IDisposable
{
    public const int BlockSize = 10;
    private const int FirstPort = 21000;
    private const int Blocks = (32000 - FirstPort) / BlockSize;

    private readonly FileStream _lock;

    private PortLease(int first, FileStream held)
    {
        First = first;
        _lock = held;
    }

    public static string LockDirectory => Path.Combine(Path.GetTempPath(), "luban-port-leases");

    /// <summary>The first port of the block; the next <see cref="BlockSize"/> - 1 are this lease's too.</summary>
    public int First { get; }

    public static PortLease Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BlockSize);
        Directory.CreateDirectory(LockDirectory);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = FirstPort + Random.Shared.Next(Blocks) * BlockSize;
            FileStream held;
            try
            {
                // FileShare.None takes an exclusive flock on Linux: held by another run means not ours to use.
                held = new FileStream(Path.Combine(LockDirectory, $"{first}.lock"), FileMode.OpenOrCreate,
                    FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue;
            }

            if (Enumerable.Range(first, count).All(IsFree)) return new PortLease(first, held);
            held.Dispose();
        }

        throw new InvalidOperationException($"no free block of {count} ports in {FirstPort}..{FirstPort + Blocks * BlockSize}");
    }

    public void Dispose() => _lock.Dispose();

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
