using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Serialization;

namespace Luban.Protocol.Serialization;

/// <summary>
/// Serializes every <see cref="ILubanWireMessage"/> as UTF-8 JSON with the CLR type name as manifest.
/// JSON keeps the wire readable in captures and tolerant of added optional fields between versions.
/// </summary>
public sealed class LubanJsonSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 8301;

    private readonly JsonSerializerOptions _options;
    private readonly ConcurrentDictionary<string, Type> _types = new();

    public LubanJsonSerializer(ExtendedActorSystem system) : base(system)
    {
        _options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            Converters = { new ActorRefConverter(system), new JsonStringEnumConverter() },
        };
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = _types.GetOrAdd(manifest, static m =>
            Type.GetType(m, throwOnError: false)
            ?? throw new SerializationException($"Unknown Luban message type in manifest '{m}'"));
        return JsonSerializer.Deserialize(bytes, type, _options)
               ?? throw new SerializationException($"Empty payload for '{manifest}'");
    }

    private static string ManifestOf(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    /// <summary>Actor references travel as their serialized path and are resolved on arrival.</summary>
    private sealed class ActorRefConverter(ExtendedActorSystem system) : JsonConverter<IActorRef>
    {
        public override bool CanConvert(Type typeToConvert) => typeof(IActorRef).IsAssignableFrom(typeToConvert);

        public override IActorRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var path = reader.GetString();
            return string.IsNullOrEmpty(path) ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
        }

        public override void Write(Utf8JsonWriter writer, IActorRef value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Akka.Serialization.Serialization.SerializedActorPath(value));
    }
}

/// <summary>A payload that cannot be turned back into a message.</summary>
public sealed class SerializationException(string message) : Exception(message);
