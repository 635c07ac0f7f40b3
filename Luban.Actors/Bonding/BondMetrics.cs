using System.Globalization;
using System.Text;
using Luban.Protocol.Bonding;

namespace Luban.Actors.Bonding;

/// <summary>Renders a snapshot in the Prometheus text exposition format (0.0.4): the LACP detail node_exporter lacks.</summary>
public static class BondMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private sealed record Family(string Name, string Type, string Help)
    {
        public List<(string Labels, double Value)> Samples { get; } = [];
    }

    public static string Render(BondSnapshot snapshot, BondExpectations expectations)
    {
        var families = new List<Family>();
        Family F(string name, string type, string help)
        {
            var family = new Family("luban_bond_" + name, type, help);
            families.Add(family);
            return family;
        }

        var readOk = F("read_ok", "gauge", "1 if /proc/net/bonding/<bond> was read and parsed, 0 if not.");
        var info = F("info", "gauge", "Bond configuration as labels; value always 1.");
        var up = F("up", "gauge", "1 if the bond's MII status is up.");
        var health = F("health", "gauge", "1 for the bond's current health state (healthy, degraded, down, error), 0 for the others.");
        var miimon = F("mii_polling_interval_milliseconds", "gauge", "MII link monitoring interval; 0 means off.");
        var slavesUp = F("slaves_up", "gauge", "Number of slaves whose MII status is up.");
        var slaveUp = F("slave_up", "gauge", "1 if the slave's MII status is up.");
        var failures = F("slave_link_failures_total", "counter", "Link failures the bonding driver counted for the slave.");
        var speed = F("slave_speed_mbps", "gauge", "Slave link speed as the bonding driver reports it (absent if unknown).");
        var active = F("active_slave", "gauge", "1 for the currently active slave (modes with an active slave).");
        var slaveAggregator = F("slave_aggregator_id", "gauge", "802.3ad aggregator the slave belongs to.");
        var activeAggregator = F("active_aggregator_id", "gauge", "802.3ad active aggregator id.");
        var aggregatorPorts = F("active_aggregator_ports", "gauge", "Number of ports in the 802.3ad active aggregator.");
        var partner = F("partner_present", "gauge", "1 if the 802.3ad active aggregator has an LACP partner (partner MAC not 00:00:00:00:00:00).");
        var slavePartner = F("slave_partner_present", "gauge", "1 if the slave's last partner LACPDU names a partner system.");
        var warning = F("configuration_warning", "gauge", "1 for each configuration warning that holds now.");
        var iface = F("interface_up", "gauge", "1 if the plain interface's operstate is up.");

        foreach (var reading in snapshot.Bonds)
        {
            var b = Labels(("bond", reading.Bond));
            readOk.Samples.Add((b, reading.IsOk ? 1 : 0));
            var state = BondHealthRules.Evaluate(reading, expectations).Health;
            foreach (var candidate in Enum.GetValues<BondHealth>())
            {
                health.Samples.Add((Labels(("bond", reading.Bond), ("state", candidate.ToString().ToLowerInvariant())), candidate == state ? 1 : 0));
            }

            if (reading.Status is not { } bond)
            {
                continue;
            }

            info.Samples.Add((Labels(("bond", bond.Name), ("mode", bond.Mode.OptionName()), ("xmit_hash_policy", bond.TransmitHashPolicy ?? ""), ("lacp_rate", bond.Lacp?.LacpRate ?? "")), 1));
            up.Samples.Add((b, bond.IsUp ? 1 : 0));
            miimon.Samples.Add((b, bond.MiiPollingIntervalMs));
            slavesUp.Samples.Add((b, bond.Slaves.Count(s => s.IsUp)));
            if (bond.Lacp?.ActiveAggregator is { } agg)
            {
                activeAggregator.Samples.Add((b, agg.AggregatorId));
                aggregatorPorts.Samples.Add((b, agg.NumberOfPorts));
            }

            if (bond.PartnerMac is { } mac)
            {
                partner.Samples.Add((b, MacAddresses.IsZero(mac) ? 0 : 1));
            }

            foreach (var slave in bond.Slaves)
            {
                var s = Labels(("bond", bond.Name), ("slave", slave.Name));
                slaveUp.Samples.Add((s, slave.IsUp ? 1 : 0));
                failures.Samples.Add((s, slave.LinkFailureCount));
                if (slave.SpeedMbps is { } mbps)
                {
                    speed.Samples.Add((s, mbps));
                }

                if (bond.Mode is BondMode.ActiveBackup or BondMode.BalanceTlb or BondMode.BalanceAlb)
                {
                    active.Samples.Add((s, slave.Name == bond.ActiveSlave ? 1 : 0));
                }

                if (slave.AggregatorId is { } id)
                {
                    slaveAggregator.Samples.Add((s, id));
                }

                if (slave.PartnerPdu is { } pdu)
                {
                    slavePartner.Samples.Add((s, MacAddresses.IsZero(pdu.SystemMac) ? 0 : 1));
                }
            }

            foreach (var w in BondChecks.Check(bond, expectations))
            {
                warning.Samples.Add((Labels(("bond", bond.Name), ("kind", w.Kind.ToString())), 1));
            }
        }

        foreach (var i in snapshot.Interfaces)
        {
            iface.Samples.Add((Labels(("interface", i.Name), ("operstate", i.OperState.Name())), i.IsUp ? 1 : 0));
        }

        var text = new StringBuilder();
        foreach (var family in families.Where(f => f.Samples.Count > 0))
        {
            text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var (labels, value) in family.Samples)
            {
                text.Append(family.Name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Labels(params (string Name, string Value)[] labels) =>
        "{" + string.Join(",", labels.Select(l => $"{l.Name}=\"{EscapeLabel(l.Value)}\"")) + "}";

    private static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
