using System.Globalization;
using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>Pure differ: the events that lead from one snapshot to the next. Order: per bond (bond, slaves, warnings), then interfaces.</summary>
public static class BondDiff
{
    public static IReadOnlyList<BondEvent> Compare(BondSnapshot previous, BondSnapshot current, BondExpectations expectations)
    {
        var events = new List<BondEvent>();
        var at = current.TakenAt;
        foreach (var now in current.Bonds)
        {
            var before = previous.Bond(now.Bond);
            CompareBond(at, before, now, expectations, events);
        }

        foreach (var now in current.Interfaces)
        {
            // A first sighting is not a transition.
            if (previous.Interface(now.Name) is { } before && before.OperState != now.OperState)
            {
                events.Add(new(at, BondEventKind.InterfaceOperStateChanged, now.Name, null, before.OperState.Name(), now.OperState.Name(),
                    $"interface {now.Name} is {now.OperState.Name()} (was {before.OperState.Name()})"));
            }
        }

        return events;
    }

    private static void CompareBond(DateTimeOffset at, BondReading? before, BondReading now, BondExpectations expectations, List<BondEvent> events)
    {
        var name = now.Bond;
        if (before is { Error: not null } && now.IsOk)
        {
            events.Add(new(at, BondEventKind.ReadRecovered, name, null, before.Error, "ok", $"{name} is readable again"));
        }

        if (now.Error is { } error)
        {
            // Error to error is no news; warnings are unknown while unreadable, so none are cleared.
            if (before is null || before.IsOk)
            {
                events.Add(new(at, BondEventKind.ReadFailed, name, null, before is null ? null : "ok", error, $"{name} cannot be read: {error}"));
            }

            return;
        }

        var current = now.Status!;
        if (before?.Status is { } previous)
        {
            CompareStatus(at, previous, current, events);
        }

        // Warnings are current-state checks; an event marks each one appearing or disappearing.
        var was = before?.Status is { } p ? BondChecks.Check(p, expectations) : [];
        var isNow = BondChecks.Check(current, expectations);
        foreach (var warning in isNow.Where(w => was.All(o => o.Kind != w.Kind)))
        {
            events.Add(new(at, BondEventKind.WarningRaised, name, null, null, warning.Kind.ToString(), warning.Detail, warning.Kind));
        }

        foreach (var warning in was.Where(w => isNow.All(o => o.Kind != w.Kind)))
        {
            events.Add(new(at, BondEventKind.WarningCleared, name, null, warning.Kind.ToString(), null, $"resolved: {warning.Detail}", warning.Kind));
        }
    }

    private static void CompareStatus(DateTimeOffset at, BondStatus before, BondStatus now, List<BondEvent> events)
    {
        var name = now.Name;
        if (before.IsUp && !now.IsUp)
        {
            events.Add(new(at, BondEventKind.BondDown, name, null, Text(before.Mii), Text(now.Mii), $"bond {name} is down"));
        }
        else if (!before.IsUp && now.IsUp)
        {
            events.Add(new(at, BondEventKind.BondUp, name, null, Text(before.Mii), Text(now.Mii), $"bond {name} is up"));
        }

        if (before.ActiveSlave != now.ActiveSlave)
        {
            events.Add(new(at, BondEventKind.ActiveSlaveChanged, name, now.ActiveSlave, before.ActiveSlave, now.ActiveSlave,
                $"{name}: active slave is now {now.ActiveSlave ?? "none"} (was {before.ActiveSlave ?? "none"})"));
        }

        var aggregatorBefore = before.Lacp?.ActiveAggregator?.AggregatorId;
        var aggregatorNow = now.Lacp?.ActiveAggregator?.AggregatorId;
        if (aggregatorBefore is not null && aggregatorNow is not null && aggregatorBefore != aggregatorNow)
        {
            events.Add(new(at, BondEventKind.AggregatorChanged, name, null, Num(aggregatorBefore), Num(aggregatorNow),
                $"{name}: active aggregator is now {aggregatorNow} (was {aggregatorBefore})"));
        }

        ComparePartner(at, name, before.PartnerMac, now.PartnerMac, events);

        foreach (var slave in now.Slaves)
        {
            if (before.Slave(slave.Name) is not { } old)
            {
                events.Add(new(at, BondEventKind.SlaveAdded, name, slave.Name, null, Text(slave.Mii), $"{name}: slave {slave.Name} added ({Text(slave.Mii)})"));
                continue;
            }

            if (old.IsUp && !slave.IsUp)
            {
                events.Add(new(at, BondEventKind.SlaveDown, name, slave.Name, Text(old.Mii), Text(slave.Mii), $"{name}: slave {slave.Name} is {Text(slave.Mii)}"));
            }
            else if (!old.IsUp && slave.IsUp)
            {
                events.Add(new(at, BondEventKind.SlaveUp, name, slave.Name, Text(old.Mii), Text(slave.Mii), $"{name}: slave {slave.Name} is up"));
            }

            // A falling count means the slave was re-enslaved; only rises are failures.
            if (slave.LinkFailureCount > old.LinkFailureCount)
            {
                events.Add(new(at, BondEventKind.LinkFailureCountRising, name, slave.Name, Num(old.LinkFailureCount), Num(slave.LinkFailureCount),
                    $"{name}: slave {slave.Name} link failures rose from {old.LinkFailureCount} to {slave.LinkFailureCount}"));
            }

            if (old.AggregatorId is not null && slave.AggregatorId is not null && old.AggregatorId != slave.AggregatorId)
            {
                events.Add(new(at, BondEventKind.AggregatorChanged, name, slave.Name, Num(old.AggregatorId), Num(slave.AggregatorId),
                    $"{name}: slave {slave.Name} moved to aggregator {slave.AggregatorId} (was {old.AggregatorId})"));
            }
        }

        foreach (var gone in before.Slaves.Where(s => now.Slave(s.Name) is null))
        {
            events.Add(new(at, BondEventKind.SlaveRemoved, name, gone.Name, Text(gone.Mii), null, $"{name}: slave {gone.Name} removed"));
        }
    }

    private static void ComparePartner(DateTimeOffset at, string name, string? before, string? now, List<BondEvent> events)
    {
        // Null = not visible to this process (needs CAP_NET_ADMIN): no conclusion either way.
        if (before is null || now is null || before == now)
        {
            return;
        }

        var (kind, message) = (MacAddresses.IsZero(before), MacAddresses.IsZero(now)) switch
        {
            (false, true) => (BondEventKind.PartnerLost, $"{name}: LACP partner {before} lost"),
            (true, false) => (BondEventKind.PartnerFound, $"{name}: LACP partner {now} found"),
            _ => (BondEventKind.PartnerChanged, $"{name}: LACP partner is now {now} (was {before})"),
        };
        events.Add(new(at, kind, name, null, before, now, message));
    }

    private static string Text(MiiStatus status) => status switch
    {
        MiiStatus.GoingDown => "going down",
        MiiStatus.GoingBack => "going back",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string? Num(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
