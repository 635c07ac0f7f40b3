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

    /// <summary>Who gave a command, as the seed's operator endpoint found it in the certificate that signed it.</summary>
    /// <param name="Subject">"operator alice", "viewer bob".</param>
    /// <param name="MayAct">An operator certificate may act; a viewer certificate may only read.</param>
    public sealed record ActingOperator(string Subject, bool MayAct) : ILubanWireMessage;

    /// <summary>A command that changes the cluster; <see cref="By"/> is set by the operator endpoint, never trusted from
    /// the CLI.</summary>
    public interface IOperatorCommand
    {
        ActingOperator? By { get; }

        IOperatorCommand GivenBy(ActingOperator by);
    }

    /// <summary>Start one VM now; on <paramref name="Host"/>, or where the policy would place it.</summary>
    public sealed record StartVmNow(HostId? Host, ActingOperator? By = null) : ILubanWireMessage, IOperatorCommand
    {
        public IOperatorCommand GivenBy(ActingOperator by) => this with { By = by };
    }

    /// <summary>Drain and stop a VM now; refused where the policy would never stop it (below a minimum).</summary>
    public sealed record StopVmNow(VmId Vm, ActingOperator? By = null) : ILubanWireMessage, IOperatorCommand
    {
        public IOperatorCommand GivenBy(ActingOperator by) => this with { By = by };
    }

    /// <summary>Pause or resume automatic scaling; manual commands still run while paused.</summary>
    public sealed record SetAutoscale(bool Paused, ActingOperator? By = null) : ILubanWireMessage, IOperatorCommand
    {
        public IOperatorCommand GivenBy(ActingOperator by) => this with { By = by };
    }

    /// <summary>Change one policy value by its key name (e.g. <c>t-upper</c> or <c>luban.scaling.t-upper</c>).</summary>
    public sealed record SetPolicy(string Key, string Value, ActingOperator? By = null) : ILubanWireMessage, IOperatorCommand
    {
        public IOperatorCommand GivenBy(ActingOperator by) => this with { By = by };
    }

    /// <summary>Asks for the whole status document as JSON (the same as the admin API's <c>/api/status</c>).</summary>
    public sealed record GetStatusJson : ILubanWireMessage
    {
        public static readonly GetStatusJson Instance = new();
    }

    public sealed record StatusJson(string Json) : ILubanWireMessage;
}
