using Luban.Seed.FrontDoor;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Luban.Tests.FrontDoor;

/// <summary>Which VMs the front door may pick from, given what the active and passive health checks say.</summary>
public sealed class HealthyOnlyDestinationsPolicySpecs
{
    private const DestinationHealth U = DestinationHealth.Unknown;
    private const DestinationHealth H = DestinationHealth.Healthy;
    private const DestinationHealth X = DestinationHealth.Unhealthy;

    public static TheoryData<string, (DestinationHealth Active, DestinationHealth Passive)[], string[]> Cases => new()
    {
        { "healthy ones only, never a booting (unprobed) VM beside them", [(H, U), (U, U)], ["vm-0"] },
        { "a passively ejected VM is left out while another is healthy", [(H, X), (H, U)], ["vm-1"] },
        { "no VM probed yet (front door just started): the unprobed ones", [(U, U), (U, U), (X, U)], ["vm-0", "vm-1"] },
        { "every probe timed out (all VMs saturated): those not ejected, not a 503 for all", [(X, U), (X, H), (X, X)], ["vm-0", "vm-1"] },
        { "everything ejected: all of them, a connect failure is retried elsewhere", [(X, X), (U, X)], ["vm-0", "vm-1"] },
        { "no VM at all", [], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void It_should_pick(string situation, (DestinationHealth Active, DestinationHealth Passive)[] health, string[] expected)
    {
        var destinations = health.Select((h, i) =>
        {
            var destination = new DestinationState($"vm-{i}");
            destination.Health.Active = h.Active;
            destination.Health.Passive = h.Passive;
            return destination;
        }).ToList();

        var available = new HealthyOnlyDestinationsPolicy()
            .GetAvailalableDestinations(new ClusterConfig { ClusterId = "vms" }, destinations);

        Assert.True(expected.SequenceEqual(available.Select(d => d.DestinationId)),
            $"{situation}: got [{string.Join(", ", available.Select(d => d.DestinationId))}]");
    }
}
