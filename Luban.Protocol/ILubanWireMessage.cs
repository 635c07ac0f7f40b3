namespace Luban.Protocol;

/// <summary>
/// Marker for every message that crosses the wire between Luban processes. One serialization binding in
/// <c>hocon/common.hocon</c> maps this interface to <see cref="Serialization.LubanJsonSerializer"/>.
/// </summary>
public interface ILubanWireMessage;
