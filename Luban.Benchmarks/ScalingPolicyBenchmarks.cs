using BenchmarkDotNet.Attributes;
using Luban.Actors.Scaling;
using Luban.Protocol;
using Luban.Protocol.Scaling;

namespace Luban.Benchmarks;

/// <summary>One policy decision over 1,000 hosts × 3 in-service VMs, on each of its main paths.</summary>
[MemoryDiagnoser]
public class ScalingPolicyBenchmarks
{
    private const int Hosts = 1_000;
    private const int VmsPerHost = 3;

    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    // Room for every VM, so a scale-out reaches placement instead of stopping at the paper's 6-VM cap.
    private readonly ScalingSettings _settings = ScalingSettings.Default with { MaxTotalVms = Hosts * (VmsPerHost + 1) };

    private ClusterView _steady = null!;
    private ClusterView _oneIdleVm = null!;
    private ClusterView _overloaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _steady = Cluster((host, vm) => 30 + (host + vm) % 20);
        _oneIdleVm = Cluster((host, vm) => host == Hosts / 2 && vm == 2 ? 3 : 30 + (host + vm) % 20);
        _overloaded = Cluster((host, vm) => 61 + (host * 7 + vm) % 40);
    }

    [Benchmark(Baseline = true, Description = "steady: hold/within-band")]
    public ScalingDecision Steady() => ScalingPolicy.Decide(_steady, _settings, Now);

    [Benchmark(Description = "one idle VM: scale-in")]
    public ScalingDecision ScaleIn() => ScalingPolicy.Decide(_oneIdleVm, _settings, Now);

    [Benchmark(Description = "all overloaded: scale-out placement")]
    public ScalingDecision ScaleOut() => ScalingPolicy.Decide(_overloaded, _settings, Now);

    private static ClusterView Cluster(Func<int, int, int> connections) =>
        new([
            .. Enumerable.Range(0, Hosts).Select(host =>
            {
                var id = new HostId($"H{host:D4}");
                var vms = Enumerable.Range(0, VmsPerHost)
                    .Select(vm => new VmView(VmId.For(id, vm + 1), VmState.InService, connections(host, vm)));
                return new HostView(id, true, Now - TimeSpan.FromSeconds(1), [.. vms], MinVms: 1, MaxVms: VmsPerHost + 1);
            }),
        ]);
}
