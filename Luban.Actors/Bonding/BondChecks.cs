using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>What a correctly configured bond looks like. Defaults are the paper's: 802.3ad, MII every 100 ms, two NICs.</summary>
public sealed record BondExpectations(BondMode Mode = BondMode.Ieee8023ad, int MiiPollingIntervalMs = 100, int MinimumSlavesUp = 2)
{
    public static BondExpectations Default { get; } = new();
}

/// <summary>A current-state configuration problem of one bond.</summary>
public sealed record ConfigurationWarning(ConfigurationWarningKind Kind, string Bond, string Detail);

/// <summary>Configuration checks on one bond's current state; pure.</summary>
public static class BondChecks
{
    public static IReadOnlyList<ConfigurationWarning> Check(BondStatus bond, BondExpectations expectations)
    {
        var warnings = new List<ConfigurationWarning>();
        if (bond.Mode != expectations.Mode)
        {
            warnings.Add(new(ConfigurationWarningKind.UnexpectedMode, bond.Name,
                $"{bond.Name} runs mode {bond.Mode.OptionName()} ({bond.ModeText}), expected {expectations.Mode.OptionName()}"));
        }

        if (bond.MiiPollingIntervalMs != expectations.MiiPollingIntervalMs)
        {
            var what = bond.MiiPollingIntervalMs == 0 ? "MII monitoring is off" : $"MII polls every {bond.MiiPollingIntervalMs} ms";
            warnings.Add(new(ConfigurationWarningKind.UnexpectedMiiPolling, bond.Name,
                $"{bond.Name}: {what}, expected every {expectations.MiiPollingIntervalMs} ms"));
        }

        if (bond.Mode == BondMode.Ieee8023ad && HasNoPartner(bond))
        {
            warnings.Add(new(ConfigurationWarningKind.NoLacpPartner, bond.Name,
                $"{bond.Name}: no LACP partner (partner MAC {MacAddresses.Zero}); the switch ports are not configured for LACP or do not answer"));
        }

        var up = bond.Slaves.Where(s => s.IsUp).ToArray();
        if (bond.Mode == BondMode.Ieee8023ad)
        {
            var groups = up.Where(s => s.AggregatorId is not null).GroupBy(s => s.AggregatorId!.Value).OrderBy(g => g.Key).ToArray();
            if (groups.Length > 1)
            {
                var active = bond.Lacp?.ActiveAggregator?.AggregatorId;
                var layout = string.Join(", ", groups.Select(g => $"aggregator {g.Key}: {string.Join("+", g.Select(s => s.Name))}"));
                warnings.Add(new(ConfigurationWarningKind.SplitAggregators, bond.Name,
                    $"{bond.Name}: slaves in different aggregators ({layout}); only the active one{(active is null ? "" : $" ({active})")} carries traffic"));
            }
        }

        var speeds = up.Where(s => s.SpeedMbps is not null).Select(s => s.SpeedMbps!.Value).Distinct().Order().ToArray();
        if (speeds.Length > 1)
        {
            warnings.Add(new(ConfigurationWarningKind.SpeedMismatch, bond.Name,
                $"{bond.Name}: slaves run at different speeds ({string.Join(", ", up.Where(s => s.SpeedMbps is not null).Select(s => $"{s.Name} {s.SpeedMbps} Mbps"))})"));
        }

        if (up.Select(s => s.Duplex).Where(d => d != Duplex.Unknown).Distinct().Count() > 1)
        {
            warnings.Add(new(ConfigurationWarningKind.DuplexMismatch, bond.Name,
                $"{bond.Name}: slaves run at different duplex ({string.Join(", ", up.Select(s => $"{s.Name} {s.Duplex.ToString().ToLowerInvariant()}"))})"));
        }

        return warnings;
    }

    // Unknown (the kernel hides the aggregator without CAP_NET_ADMIN) is not "no partner".
    private static bool HasNoPartner(BondStatus bond) =>
        bond.PartnerMac is { } mac
            ? MacAddresses.IsZero(mac)
            : bond.Slaves.Any(s => s.PartnerPdu is not null) && bond.Slaves.All(s => s.PartnerPdu is null || MacAddresses.IsZero(s.PartnerPdu.SystemMac));
}

public static class BondHealthRules
{
    /// <summary>
    /// Rule: Error = the bond file could not be read or parsed; Down = bond MII status not up, or no slave up;
    /// Degraded = traffic flows but redundancy is lost (fewer than MinimumSlavesUp slaves up) or any configuration warning holds;
    /// Healthy = everything else.
    /// </summary>
    public static BondHealthSummary Evaluate(BondReading reading, BondExpectations expectations)
    {
        if (reading.Status is not { } bond)
        {
            return new(reading.Bond, BondHealth.Error, [reading.Error ?? "unreadable"]);
        }

        var up = bond.Slaves.Count(s => s.IsUp);
        if (!bond.IsUp || up == 0)
        {
            var why = !bond.IsUp ? $"{bond.Name} MII status is {bond.Mii.ToString().ToLowerInvariant()}" : $"{bond.Name} has no slave up";
            return new(bond.Name, BondHealth.Down, [why]);
        }

        var reasons = new List<string>();
        if (up < expectations.MinimumSlavesUp)
        {
            var down = bond.Slaves.Where(s => !s.IsUp).Select(s => s.Name).ToArray();
            reasons.Add($"{bond.Name}: {up} of {bond.Slaves.Count} slaves up{(down.Length > 0 ? $" ({string.Join(", ", down)} down)" : "")}, no redundancy");
        }

        reasons.AddRange(BondChecks.Check(bond, expectations).Select(w => w.Detail));
        return new(bond.Name, reasons.Count == 0 ? BondHealth.Healthy : BondHealth.Degraded, reasons);
    }
}
