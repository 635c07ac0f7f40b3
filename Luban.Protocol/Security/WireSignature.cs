using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Luban.Protocol.Security;

/// <summary>Given to an actor system so its wire serializer signs what it sends and checks who signed what it receives.</summary>
public sealed class WireIdentitySetup(NodeCredentials credentials) : Akka.Actor.Setup.Setup
{
    public NodeCredentials Credentials { get; } = credentials;
}

/// <summary>
/// Who signed a message that came over the wire. A message this process made for itself (never serialized, or
/// signed with its own certificate) has no signer; every message from another process has one, checked against the
/// cluster's CA, or it was refused.
/// </summary>
public static class MessageSigners
{
    private sealed record Signed(ClusterIdentity Signer, byte[] Frame);

    private static readonly ConditionalWeakTable<object, Signed> Signers = new();

    public static ClusterIdentity? Of(object message) => Signers.TryGetValue(message, out var signed) ? signed.Signer : null;

    /// <summary>The frame another process signed this very message with: passed on unchanged, it keeps its signer.</summary>
    internal static byte[]? FrameOf(object message) => Signers.TryGetValue(message, out var signed) ? signed.Frame : null;

    internal static void Attach(object message, ClusterIdentity signer, byte[] frame) => Signers.AddOrUpdate(message, new Signed(signer, frame));
}

/// <summary>
/// The signed frame every wire message travels in: the sender's certificate, the time, and an ECDSA signature over
/// the manifest, the time and the payload. TLS already keeps outsiders off the connection; the signature says which
/// member of the cluster said it, so a node cannot speak for another host.
/// </summary>
public sealed class WireSignature
{
    /// <summary>How far a frame's time may be from the receiver's clock.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    private const byte SignedFrame = 1;

    private readonly byte[] _certificate;
    private readonly ECDsa _key;
    private readonly Lock _signing = new();
    private readonly CertificateAuthority _authority;
    private readonly Dictionary<string, (ClusterIdentity Identity, ECDsa Key)> _senders = new(StringComparer.Ordinal);
    private readonly Lock _verifying = new();

    public WireSignature(NodeCredentials credentials)
    {
        _certificate = credentials.Certificate.RawData;
        _key = credentials.Certificate.GetECDsaPrivateKey()
               ?? throw new CryptographicException($"{credentials.Identity.Subject}'s certificate carries no ECDSA private key");
        _authority = new CertificateAuthority(credentials.Authority);
    }

    /// <summary>The payload part of a signed frame (its tail), to compare a message passed on with what was signed.</summary>
    public static ReadOnlySpan<byte> PayloadOf(byte[] frame)
    {
        var span = frame.AsSpan();
        var offset = 3 + BinaryPrimitives.ReadUInt16BigEndian(span[1..]);
        return span[(offset + 10 + BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 8)..]))..];
    }

    public byte[] Sign(string manifest, ReadOnlySpan<byte> payload, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        byte[] signature;
        lock (_signing) signature = _key.SignData(Signed(manifest, at, payload), HashAlgorithmName.SHA256);
        var frame = new byte[1 + 2 + _certificate.Length + 8 + 2 + signature.Length + payload.Length];
        var span = frame.AsSpan();
        span[0] = SignedFrame;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)_certificate.Length);
        _certificate.CopyTo(span[3..]);
        var offset = 3 + _certificate.Length;
        BinaryPrimitives.WriteInt64BigEndian(span[offset..], at);
        BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 8)..], (ushort)signature.Length);
        signature.CopyTo(span[(offset + 10)..]);
        payload.CopyTo(span[(offset + 10 + signature.Length)..]);
        return frame;
    }

    /// <summary>The payload and who signed it (null when it was this process's own certificate: a message it made for
    /// itself, e.g. under serialize-messages); throws <see cref="WireRefusal"/> when the frame cannot be trusted.</summary>
    public (ReadOnlyMemory<byte> Payload, ClusterIdentity? Signer) Verify(string manifest, byte[] frame, DateTimeOffset now)
    {
        var span = frame.AsSpan();
        if (span.Length < 3 || span[0] != SignedFrame) throw new WireRefusal("the message is not signed");
        var certificateLength = BinaryPrimitives.ReadUInt16BigEndian(span[1..]);
        var offset = 3 + certificateLength;
        if (span.Length < offset + 10) throw new WireRefusal("the signed frame is truncated");
        var certificate = span.Slice(3, certificateLength);
        var at = BinaryPrimitives.ReadInt64BigEndian(span[offset..]);
        var signatureLength = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 8)..]);
        if (span.Length < offset + 10 + signatureLength) throw new WireRefusal("the signed frame is truncated");
        var signature = span.Slice(offset + 10, signatureLength);
        var payload = frame.AsMemory(offset + 10 + signatureLength);

        var sent = DateTimeOffset.FromUnixTimeMilliseconds(at);
        if ((now - sent).Duration() > ClockTolerance)
            throw new WireRefusal($"the message was signed at {sent:u}, more than {ClockTolerance.TotalMinutes:0} minutes from now");

        var (identity, key) = Sender(certificate, now);
        bool valid;
        lock (_verifying) valid = key.VerifyData(Signed(manifest, at, payload.Span), signature, HashAlgorithmName.SHA256);
        if (!valid) throw new WireRefusal($"the signature of {identity.Subject} does not match the message");
        return (payload, certificate.SequenceEqual(_certificate) ? null : identity);
    }

    private (ClusterIdentity Identity, ECDsa Key) Sender(ReadOnlySpan<byte> der, DateTimeOffset now)
    {
        var id = Convert.ToHexString(SHA256.HashData(der));
        lock (_verifying)
        {
            if (_senders.TryGetValue(id, out var known) && now <= known.Identity.NotAfter) return known;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException error)
        {
            throw new WireRefusal($"the sender's certificate cannot be read ({error.Message})");
        }

        var identity = _authority.Validate(certificate, now, out var problem)
                       ?? throw new WireRefusal($"the sender's certificate ({certificate.Subject}) is refused: {problem}");
        var key = certificate.GetECDsaPublicKey() ?? throw new WireRefusal($"the sender's certificate ({certificate.Subject}) has no ECDSA key");
        lock (_verifying) _senders[id] = (identity, key);
        return (identity, key);
    }

    private static byte[] Signed(string manifest, long at, ReadOnlySpan<byte> payload)
    {
        var name = Encoding.UTF8.GetBytes(manifest);
        var data = new byte[name.Length + 1 + 8 + payload.Length];
        name.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(name.Length + 1), at);
        payload.CopyTo(data.AsSpan(name.Length + 9));
        return data;
    }
}

/// <summary>A wire message that is refused before anything is constructed from it.</summary>
public sealed class WireRefusal(string message) : Exception(message);
