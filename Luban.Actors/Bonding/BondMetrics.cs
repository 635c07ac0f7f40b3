using System.Text;
using Luban.Protocol.Bonding;
using Prometheus;

namespace Luban.Actors.Bonding;

/// <summary>
/// A snapshot as Prometheus metrics (prometheus-net): the LACP detail node_exporter lacks, and every watched
/// interface's traffic counters as the kernel keeps them. Each render fills a registry of its own from the snapshot,
/// so a bond or slave that is gone leaves no stale series behind.
/// </summary>
public static class BondMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(BondSnapshot snapshot, BondExpectations expectations)
    {
        var registry = Metrics.NewCustomRegistry();
        Write(Metrics.WithCustomRegistry(registry), snapshot, expectations);
        using var text = new MemoryStream();
        registry.CollectAndExportAsTextAsync(text).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private static void Write(IMetricFactory factory, BondSnapshot snapshot, BondExpectations expectations)
    {
        string[] bondLabel = ["bond"], slaveLabels = ["bond", "slave"];
        Gauge G(string name, string help, params string[] labels) => factory.CreateGauge("luban_bond_" + name, help, labels);

        var readOk = G("read_ok", "1 if /proc/net/bonding/<bond> was read and parsed, 0 if not.", bondLabel);
        var info = G("info", "Bond configuration as labels; value always 1.", "bond", "mode", "xmit_hash_policy", "lacp_rate");
        var up = G("up", "1 if the bond's MII status is up.", bondLabel);
        var health = G("health", "1 for the bond's current health state (healthy, degraded, down, error), 0 for the others.", "bond", "state");
        var miimon = G("mii_polling_interval_seconds", "MII link monitoring interval; 0 means off.", bondLabel);
        var slavesUp = G("slaves_up", "Number of slaves whose MII status is up.", bondLabel);
        var slaveUp = G("slave_up", "1 if the slave's MII status is up.", slaveLabels);
        var failures = factory.CreateCounter("luban_bond_slave_link_failures_total", "Link failures the bonding driver counted for the slave.", slaveLabels);
        var speed = G("slave_speed_mbps", "Slave link speed as the bonding driver reports it (absent if unknown).", slaveLabels);
        var active = G("active_slave", "1 for the currently active slave (modes with an active slave).", slaveLabels);
        var slaveAggregator = G("slave_aggregator_id", "802.3ad aggregator the slave belongs to.", slaveLabels);
        var activeAggregator = G("active_aggregator_id", "802.3ad active aggregator id.", bondLabel);
        var aggregatorPorts = G("active_aggregator_ports", "Number of ports in the 802.3ad active aggregator.", bondLabel);
        var partner = G("partner_present", "1 if the 802.3ad active aggregator has an LACP partner (partner MAC not 00:00:00:00:00:00).", bondLabel);
        var slavePartner = G("slave_partner_present", "1 if the slave's last partner LACPDU names a partner system.", slaveLabels);
        var warning = G("configuration_warning", "1 for each configuration warning that holds now.", "bond", "kind");
        var iface = G("interface_up", "1 if the plain interface's operstate is up.", "interface", "operstate");

        foreach (var reading in snapshot.Bonds)
        {
            readOk.WithLabels(reading.Bond).Set(reading.IsOk ? 1 : 0);
            var state = BondHealthRules.Evaluate(reading, expectations).Health;
            foreach (var candidate in Enum.GetValues<BondHealth>())
                health.WithLabels(reading.Bond, candidate.ToString().ToLowerInvariant()).Set(candidate == state ? 1 : 0);

            if (reading.Status is not { } bond) continue;
            info.WithLabels(bond.Name, bond.Mode.OptionName(), bond.TransmitHashPolicy ?? "", bond.Lacp?.LacpRate ?? "").Set(1);
            up.WithLabels(bond.Name).Set(bond.IsUp ? 1 : 0);
            miimon.WithLabels(bond.Name).Set(bond.MiiPollingIntervalMs / 1000.0);
            slavesUp.WithLabels(bond.Name).Set(bond.Slaves.Count(s => s.IsUp));
            if (bond.Lacp?.ActiveAggregator is { } aggregator)
            {
                activeAggregator.WithLabels(bond.Name).Set(aggregator.AggregatorId);
                aggregatorPorts.WithLabels(bond.Name).Set(aggregator.NumberOfPorts);
            }

            if (bond.PartnerMac is { } mac) partner.WithLabels(bond.Name).Set(MacAddresses.IsZero(mac) ? 0 : 1);
            foreach (var slave in bond.Slaves)
            {
                slaveUp.WithLabels(bond.Name, slave.Name).Set(slave.IsUp ? 1 : 0);
                failures.WithLabels(bond.Name, slave.Name).IncTo(slave.LinkFailureCount);
                if (slave.SpeedMbps is { } mbps) speed.WithLabels(bond.Name, slave.Name).Set(mbps);
                if (bond.Mode is BondMode.ActiveBackup or BondMode.BalanceTlb or BondMode.BalanceAlb)
                    active.WithLabels(bond.Name, slave.Name).Set(slave.Name == bond.ActiveSlave ? 1 : 0);
                if (slave.AggregatorId is { } id) slaveAggregator.WithLabels(bond.Name, slave.Name).Set(id);
                if (slave.PartnerPdu is { } pdu) slavePartner.WithLabels(bond.Name, slave.Name).Set(MacAddresses.IsZero(pdu.SystemMac) ? 0 : 1);
            }

            foreach (var w in BondChecks.Check(bond, expectations))
                warning.WithLabels(bond.Name, w.Kind.ToString()).Set(1);
        }

        foreach (var i in snapshot.Interfaces)
            iface.WithLabels(i.Name, i.OperState.Name()).Set(i.IsUp ? 1 : 0);

        // Traffic as the kernel counts it (sysfs statistics), per bond, slave and plain interface; "bond" is the bond
        // the interface belongs to (itself for a bond), empty for a plain interface.
        string[] counterLabels = ["interface", "bond"];
        var traffic = new (string Name, string Help, Func<InterfaceCounters, long?> Value)[]
        {
            ("luban_interface_receive_bytes_total", "Bytes received on the interface (statistics/rx_bytes).", c => c.RxBytes),
            ("luban_interface_transmit_bytes_total", "Bytes sent on the interface (statistics/tx_bytes).", c => c.TxBytes),
            ("luban_interface_receive_packets_total", "Packets received on the interface (statistics/rx_packets).", c => c.RxPackets),
            ("luban_interface_transmit_packets_total", "Packets sent on the interface (statistics/tx_packets).", c => c.TxPackets),
        };
        foreach (var (name, help, value) in traffic)
        {
            var family = factory.CreateCounter(name, help, counterLabels);
            foreach (var counters in snapshot.Counters)
                if (value(counters) is { } count)
                    family.WithLabels(counters.Interface, counters.Bond ?? "").IncTo(count);
        }
    }
}
