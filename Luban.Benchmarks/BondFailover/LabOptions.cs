using System.Globalization;

namespace Luban.Benchmarks.BondFailover;

/// <summary>The bond-failover benchmark's options (<c>--help</c> prints <see cref="Usage"/>).</summary>
public sealed record LabOptions
{
    public string ImageDir { get; init; } = Path.GetFullPath(".luban/lab-image");

    public string RunDir { get; init; } = Path.GetFullPath(".luban/run/bond-failover");

    public string OutDir { get; init; } = Path.GetFullPath("docs");

    public string? FixturesDir { get; init; }

    public string Link { get; init; } = "eth1";

    public bool PullBothEnds { get; init; } = true;

    public int WarmupSeconds { get; init; } = 10;

    public int HoldSeconds { get; init; } = 10;

    public int AfterSeconds { get; init; } = 15;

    public int Rate { get; init; } = 1000;

    public int Flows { get; init; } = 8;

    public int Size { get; init; } = 512;

    public int BootTimeoutSeconds { get; init; } = 180;

    public string Uri { get; init; } = "qemu:///system";

    public string DomainType { get; init; } = "qemu";

    public string Command { get; init; } = "./luban bench bond-failover";

    public bool Help { get; init; }

    public int StreamSeconds => WarmupSeconds + HoldSeconds + AfterSeconds;

    public const string Usage = """
        usage: ./luban bench bond-failover [options]

        The paper's NIC failover (its Figures 13-14) with the kernel's own bonding driver: two small guests
        (luban-lab-1 sends, luban-lab-2 receives) joined by two point-to-point links (libvirt UDP tunnels), each
        bonding its eth1 and eth2 in 802.3ad (LACP, rate fast, layer3+4 hash) with MII monitoring every 100 ms, each
        the other's LACP partner. A steady UDP stream of numbered datagrams over several flows crosses the bond; one
        link is pulled with `virsh domif-setlink ... down` and later restored. Both guests record eth1, eth2 and bond0
        every 100 ms and their /proc/net/bonding/bond0 whenever it changes. Needs root and libvirt (./luban starts
        libvirtd and builds the lab image, scripts/vm/build-lab-image.sh). Takes about 1.5 minutes under emulation.

        Writes OUT/bond-failover.svg (eth1, eth2, bond0 = eth1 + eth2 over time, pull and restore marked),
        OUT/bond-failover.csv (every 100 ms sample of both guests), OUT/bond-failover-summary.txt, and the sender's
        bond in each state (healthy, link down, restored) as BondWatcher fixture trees under RUN/fixtures/.
        The last line: failover_gap_ms=<n> lost=<n> restored_gap_ms=<n>: the longest time any flow received
        nothing, with the link pulled and after it was restored, and the datagrams never received.

        options:
          --link eth1|eth2     the link to pull (default eth1)
          --pull both|sender   both ends lose carrier, as with a pulled cable (default), or only the sender's
                               (the receiver then learns it from LACP timing out, 3 s at rate fast)
          --warmup S           stream time before the pull (default 10)
          --hold S             time the link stays out (default 10)
          --after S            stream time after the restore (default 15)
          --rate N             datagrams a second (default 1000)
          --flows N            flows, i.e. source ports, the datagrams are spread over (default 8)
          --size N             datagram payload bytes (default 512)
          --out DIR            where the chart, CSV and summary go (default docs/)
          --fixtures DIR       also write the fixture trees there (e.g. Luban.Tests/Bonding/Fixtures)
          --run-dir DIR        consoles, records, domain XML, every dump (default .luban/run/bond-failover)
          --image DIR          the lab image (default .luban/lab-image)
          --boot-timeout S     how long both bonds may take to come up (default 180)
          --domain-type T      qemu (TCG, default) or kvm
          --uri URI            libvirt connection (default qemu:///system)
        """;

    public static LabOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LabOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Seconds(int min) =>
                int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? n
                    : throw new ArgumentException($"{args[i - 1]}: '{args[i]}' is not a whole number >= {min}");
            options = args[i] switch
            {
                "--help" or "-h" => options with { Help = true },
                "--link" => options with { Link = Value() is "eth1" or "eth2" ? args[i] : throw new ArgumentException($"--link: '{args[i]}': allowed: eth1, eth2") },
                "--pull" => options with { PullBothEnds = Value() switch { "both" => true, "sender" => false, var v => throw new ArgumentException($"--pull: '{v}': allowed: both, sender") } },
                "--warmup" => options with { WarmupSeconds = Seconds(3) },
                "--hold" => options with { HoldSeconds = Seconds(1) },
                "--after" => options with { AfterSeconds = Seconds(3) },
                "--rate" => options with { Rate = Seconds(10) },
                "--flows" => options with { Flows = Seconds(1) is var f and <= 64 ? f : throw new ArgumentException("--flows: at most 64") },
                "--size" => options with { Size = Seconds(24) is var s and <= 1400 ? s : throw new ArgumentException("--size: at most 1400") },
                "--out" => options with { OutDir = Path.GetFullPath(Value()) },
                "--fixtures" => options with { FixturesDir = Path.GetFullPath(Value()) },
                "--run-dir" => options with { RunDir = Path.GetFullPath(Value()) },
                "--image" => options with { ImageDir = Path.GetFullPath(Value()) },
                "--boot-timeout" => options with { BootTimeoutSeconds = Seconds(10) },
                "--domain-type" => options with { DomainType = Value() is "qemu" or "kvm" ? args[i] : throw new ArgumentException($"--domain-type: '{args[i]}': allowed: qemu, kvm") },
                "--uri" => options with { Uri = Value() },
                "--command" => options with { Command = Value() },
                _ => throw new ArgumentException($"unknown option '{args[i]}' (see --help)"),
            };
        }

        return options;
    }
}
