using Luban.Protocol;
using Luban.Seed.FrontDoor;
using static Luban.Protocol.Scaling.ScalingProtocol;

namespace Luban.Tests.FrontDoor;

public sealed class FrontDoorConfigSpecs
{
    private static readonly FrontDoorSettings Settings = new();

    private static Backend Vm(string name, int port) =>
        new(new VmId(name), new HostId(name.Split('-')[1].ToUpperInvariant()), $"http://127.0.0.1:{port}");

    [Fact]
    public void Build_should_route_everything_to_one_cluster_with_a_destination_per_vm()
    {
        var (routes, clusters) = FrontDoorConfig.Build([Vm("luban-c-1", 18102), Vm("luban-b-1", 18101)], Settings);

        var route = Assert.Single(routes);
        Assert.Equal("{**catch-all}", route.Match.Path);
        var cluster = Assert.Single(clusters);
        Assert.Equal(route.ClusterId, cluster.ClusterId);
        Assert.Equal(["luban-b-1", "luban-c-1"], cluster.Destinations!.Keys);
        Assert.Equal("http://127.0.0.1:18101", cluster.Destinations["luban-b-1"].Address);
    }

    [Theory]
    [InlineData(LoadBalancing.RoundRobin, "RoundRobin")]
    [InlineData(LoadBalancing.LeastRequests, "LeastRequests")]
    public void Build_should_use_the_configured_load_balancing(LoadBalancing balancing, string policy)
    {
        var (_, clusters) = FrontDoorConfig.Build([Vm("luban-b-1", 1)], Settings with { LoadBalancing = balancing });

        Assert.Equal(policy, clusters[0].LoadBalancingPolicy);
    }

    [Fact]
    public void Build_should_gate_entry_on_active_health_and_eject_on_transport_failures()
    {
        var settings = Settings with { HealthInterval = TimeSpan.FromMilliseconds(700), HealthFailures = 3 };

        var health = FrontDoorConfig.Build([], settings).Clusters[0].HealthCheck!;

        Assert.Equal(HealthyOnlyDestinationsPolicy.PolicyName, health.AvailableDestinationsPolicy);
        Assert.True(health.Active!.Enabled);
        Assert.Equal("/readyz", health.Active.Path);
        Assert.Equal(TimeSpan.FromMilliseconds(700), health.Active.Interval);
        Assert.True(health.Passive!.Enabled);
        Assert.Equal("3", FrontDoorConfig.Build([], settings).Clusters[0].Metadata!["ConsecutiveFailuresHealthPolicy.Threshold"]);
    }

    [Fact]
    public void Build_should_keep_static_backends_beside_the_vms()
    {
        var settings = Settings with { StaticBackends = [new Uri("http://127.0.0.1:9001"), new Uri("http://127.0.0.1:9002")] };

        var cluster = FrontDoorConfig.Build([Vm("luban-b-1", 18101)], settings).Clusters[0];

        Assert.Equal(["luban-b-1", "static-1", "static-2"], cluster.Destinations!.Keys.Order());
    }

    [Fact]
    public void Build_should_give_the_same_configuration_for_the_same_backends_in_any_order()
    {
        var one = FrontDoorConfig.Build([Vm("luban-b-1", 1), Vm("luban-c-1", 2)], Settings).Clusters[0];
        var other = FrontDoorConfig.Build([Vm("luban-c-1", 2), Vm("luban-b-1", 1)], Settings).Clusters[0];

        Assert.True(one.Equals(other));
    }
}
