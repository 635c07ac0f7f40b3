using System.Collections.Immutable;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Actors.Scaling;

/// <summary>The one action the policy asks for on a tick, always with its reason.</summary>
public abstract record ScalingDecision
{
    // Private so the subtypes below are the only decisions there are.
    private ScalingDecision(DecisionReason reason) => Reason = reason;

    public DecisionReason Reason { get; }

    /// <summary>Boot one more VM on <paramref name="Host"/>.</summary>
    public sealed record StartVm(HostId Host, DecisionReason Reason) : ScalingDecision(Reason);

    /// <summary>Boot a VM into <paramref name="Host"/>'s warm pool (not capacity: it is suspended once it answers).</summary>
    public sealed record RefillPool(HostId Host, DecisionReason Reason) : ScalingDecision(Reason);

    /// <summary>Drain <paramref name="Vm"/> out of the rotation, then stop it.</summary>
    public sealed record StopVm(HostId Host, VmId Vm, DecisionReason Reason) : ScalingDecision(Reason);

    /// <summary>Put a draining <paramref name="Vm"/> back into the rotation.</summary>
    public sealed record Undrain(HostId Host, VmId Vm, DecisionReason Reason) : ScalingDecision(Reason);

    /// <summary>Raise an operator warning (an event), e.g. <c>at-capacity</c>.</summary>
    public sealed record Warn(string Code, DecisionReason Reason) : ScalingDecision(Reason);

    /// <summary>Do nothing this tick; the reason says why.</summary>
    public sealed record NoAction(DecisionReason Reason) : ScalingDecision(Reason);
}

/// <summary>The answer to an operator's command: a decision to carry out, or the reason it is refused.</summary>
public sealed record OperatorVerdict(ScalingDecision? Decision, string? Refusal)
{
    public static OperatorVerdict Do(ScalingDecision decision) => new(decision, null);

    public static OperatorVerdict Refuse(string reason) => new(null, reason);
}

/// <summary>Why the policy decided what it did: the rule (see <see cref="ScalingRules"/>), the numbers, a sentence.</summary>
public sealed record DecisionReason(
    string Rule,
    string Sentence,
    ImmutableArray<HostObservation> Hosts,
    ImmutableArray<VmObservation> Vms)
{
    public override string ToString() => $"{Rule}: {Sentence}";
}

/// <summary>A host's counts as the policy saw them.</summary>
public sealed record HostObservation(
    HostId Host,
    bool Reachable,
    int InService,
    int Booting,
    int Draining,
    int Stopping,
    int MinVms,
    int MaxVms);

/// <summary>A VM's load as the policy saw it; <see cref="Utilisation"/> is <c>connections / S_max</c>.</summary>
public sealed record VmObservation(
    HostId Host,
    VmId Vm,
    VmState State,
    int? Connections,
    double? Utilisation);
