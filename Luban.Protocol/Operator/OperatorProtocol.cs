namespace Luban.Protocol.Operator;

/// <summary>
/// What an operator may ask of the cluster (the <c>luban</c> CLI over ClusterClient, the dashboard). Every command is
/// answered with an <see cref="OperatorReply"/>: accepted, or refused with the reason.
/// </summary>
public static class OperatorProtocol
{
    /// <summary>The receptionist path of the seed's operator endpoint.</summary>
    public const string EndpointPath = "/user/operator";

    public sealed record OperatorReply(bool Accepted, string Message) : ILubanWireMessage;

    /// <summary>Start one VM now; on <paramref name="Host"/>, or where the policy would place it.</summary>
    public sealed record StartVmNow(HostId? Host) : ILubanWireMessage;

    /// <summary>Drain and stop a VM now; refused when its host would fall below its minimum.</summary>
    public sealed record StopVmNow(VmId Vm) : ILubanWireMessage;

    /// <summary>Pause or resume automatic scaling; manual commands still run while paused.</summary>
    public sealed record SetAutoscale(bool Paused) : ILubanWireMessage;

    /// <summary>Change one policy value by its HOCON key name (e.g. <c>t-upper</c> or <c>luban.scaling.t-upper</c>).</summary>
    public sealed record SetPolicy(string Key, string Value) : ILubanWireMessage;

    /// <summary>Asks for the whole status document as JSON (the same as the admin API's <c>/api/status</c>).</summary>
    public sealed record GetStatusJson : ILubanWireMessage
    {
        public static readonly GetStatusJson Instance = new();
    }

    public sealed record StatusJson(string Json) : ILubanWireMessage;
}
