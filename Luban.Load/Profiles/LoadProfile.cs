namespace Luban.Load.Profiles;

public enum PhaseKind
{
    Ramp,
    Hold,
    Fall,
}

/// <summary>One stretch of a load profile: the client count moves linearly from <paramref name="From"/> to
/// <paramref name="To"/> over <paramref name="Duration"/> (a hold has From == To).</summary>
public sealed record Phase(PhaseKind Kind, int From, int To, TimeSpan Duration)
{
    /// <summary>The phase in the profile grammar, e.g. <c>ramp 0-150 20s</c> or <c>hold 150 70s</c>.</summary>
    public override string ToString() => Kind == PhaseKind.Hold
        ? $"hold {To} {Durations.Format(Duration)}"
        : $"{Name} {From}-{To} {Durations.Format(Duration)}";

    /// <summary>Short form for the progress line: <c>ramp 0-150</c>, <c>hold 150</c>.</summary>
    public string Label => Kind == PhaseKind.Hold ? $"hold {To}" : $"{Name} {From}-{To}";

    private string Name => Kind.ToString().ToLowerInvariant();
}

/// <summary>How many clients to run at each moment of a load run: phases one after another.</summary>
public sealed record LoadProfile(IReadOnlyList<Phase> Phases)
{
    public TimeSpan Duration => Phases.Aggregate(TimeSpan.Zero, (sum, phase) => sum + phase.Duration);

    public int PeakClients => Phases.Count == 0 ? 0 : Phases.Max(phase => Math.Max(phase.From, phase.To));

    /// <summary>The usual shape: rise from 0 to <paramref name="clients"/>, hold, fall back to 0, then hold 0
    /// for <paramref name="idleTail"/>. Zero-length phases are kept, so the profile reads as it was asked for.</summary>
    public static LoadProfile RampHoldFall(int clients, TimeSpan ramp, TimeSpan hold, TimeSpan fall,
        TimeSpan idleTail = default)
    {
        var phases = new List<Phase>
        {
            new(PhaseKind.Ramp, 0, clients, ramp),
            new(PhaseKind.Hold, clients, clients, hold),
            new(PhaseKind.Fall, clients, 0, fall),
        };
        if (idleTail > TimeSpan.Zero) phases.Add(new Phase(PhaseKind.Hold, 0, 0, idleTail));
        return new LoadProfile(phases);
    }

    /// <summary>The client count at <paramref name="elapsed"/> since the start, rounded to the nearest client;
    /// after the end, the last phase's end.</summary>
    public int ClientsAt(TimeSpan elapsed)
    {
        if (Phases.Count == 0) return 0;
        if (elapsed < TimeSpan.Zero) elapsed = TimeSpan.Zero;
        // A zero-length phase is never "current": it is an instant step to the next phase's start.
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            var end = start + phase.Duration;
            if (elapsed < end)
            {
                var fraction = (elapsed - start) / phase.Duration;
                return (int)Math.Round(phase.From + (phase.To - phase.From) * fraction, MidpointRounding.AwayFromZero);
            }

            start = end;
        }

        return Phases[^1].To;
    }

    /// <summary>The phase running at <paramref name="elapsed"/>, or null once the profile is over.</summary>
    public Phase? PhaseAt(TimeSpan elapsed)
    {
        var start = TimeSpan.Zero;
        foreach (var phase in Phases)
        {
            start += phase.Duration;
            if (elapsed < start) return phase;
        }

        return null;
    }

    /// <summary>The profile in the grammar <see cref="ProfileParser"/> reads.</summary>
    public override string ToString() => string.Join(", ", Phases);
}
