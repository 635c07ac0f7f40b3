using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Luban.Protocol.Security;

namespace Luban.Protocol.Serialization;

/// <summary>
/// Serializes every <see cref="ILubanWireMessage"/> as UTF-8 JSON under its stable name from <see cref="WireTypes"/>.
/// In a process with a network transport every message is signed with the node's own certificate and every message
/// received must carry a valid signature of a certificate of the cluster's CA (<see cref="WireSignature"/>); the
/// signer is then known through <see cref="MessageSigners"/>. An actor system without a network transport (unit tests)
/// has no certificate and exchanges unsigned messages with itself only.
/// </summary>
public sealed class LubanJsonSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 8301;

    private const byte UnsignedFrame = 0;

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly WireSignature? _signature;

    public LubanJsonSerializer(ExtendedActorSystem system) : base(system)
    {
        var identity = system.Settings.Setup.Get<WireIdentitySetup>();
        if (identity.HasValue)
        {
            _signature = new WireSignature(identity.Value.Credentials);
        }
        else if (system.Provider is Akka.Remote.IRemoteActorRefProvider)
        {
            // Unsigned messages on a network would let any member speak for any other.
            throw new Akka.Configuration.ConfigurationException(
                "a Luban actor system with a network transport needs its node certificate (WireIdentitySetup)");
        }
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) =>
        WireTypes.NameOf(o.GetType()) ?? throw new SerializationException($"{o.GetType().Name} is not a Luban wire message");

    public override byte[] ToBinary(object obj)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
        // A message another member signed, passed on unchanged (a forward, or serialize-messages in tests), keeps its
        // signature and so its signer; anything this process makes or changes it signs itself.
        if (MessageSigners.FrameOf(obj) is { } received && WireSignature.PayloadOf(received).SequenceEqual(payload)) return received;
        if (_signature is not null) return _signature.Sign(Manifest(obj), payload, DateTimeOffset.UtcNow);
        var frame = new byte[payload.Length + 1];
        frame[0] = UnsignedFrame;
        payload.CopyTo(frame, 1);
        return frame;
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        // The closed list decides first: nothing is read, let alone constructed, for a manifest that is not on it.
        var type = WireTypes.TypeOf(manifest) ?? throw new SerializationException($"refused: '{Shorten(manifest)}' is not a Luban wire message");
        ClusterIdentity? signer = null;
        ReadOnlyMemory<byte> payload;
        if (_signature is not null)
        {
            try
            {
                (payload, signer) = _signature.Verify(manifest, bytes, DateTimeOffset.UtcNow);
            }
            catch (WireRefusal refusal)
            {
                throw new SerializationException($"refused {manifest}: {refusal.Message}");
            }
        }
        else
        {
            if (bytes.Length == 0 || bytes[0] != UnsignedFrame)
                throw new SerializationException($"refused {manifest}: a signed message reached a process without a certificate");
            payload = bytes.AsMemory(1);
        }

        var message = JsonSerializer.Deserialize(payload.Span, type, Options)
                      ?? throw new SerializationException($"refused {manifest}: empty payload");
        if (signer is not null) MessageSigners.Attach(message, signer, bytes);
        return message;
    }

    private static string Shorten(string manifest) => manifest.Length <= 120 ? manifest : manifest[..120] + "…";
}

/// <summary>A payload that cannot be turned back into a message.</summary>
public sealed class SerializationException(string message) : Exception(message);
