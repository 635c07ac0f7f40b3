using Luban.Seed.FrontDoor;

namespace Luban.Tests.FrontDoor;

/// <summary>When a front door stands for the public address (keepalived's check): Up, and reaching at least half.</summary>
public sealed class FrontDoorStandingSpecs
{
    [Theory]
    // Two front-end hosts and two agents, all reached.
    [InlineData(true, 4, 0, true, true)]
    // The other front-end host is lost: three of four reached.
    [InlineData(true, 4, 1, true, true)]
    // Both agents lost: two of four is half; the VMs still run, the address stays.
    [InlineData(true, 4, 2, true, true)]
    // This host is cut off: it reaches itself only.
    [InlineData(true, 4, 3, true, false)]
    // One seed with two agents (no virtual address): cut off from both.
    [InlineData(true, 3, 2, true, false)]
    // The only member.
    [InlineData(true, 1, 0, true, true)]
    // Just (re)started: Up and reaching all, but no rotation yet; it would answer 503.
    [InlineData(true, 4, 0, false, false)]
    // Not (or no longer) an Up member: joining, leaving, downed.
    [InlineData(false, 4, 0, true, false)]
    [InlineData(false, 0, 0, false, false)]
    public void Judge_should_stand_only_when_up_reaching_at_least_half_and_holding_a_rotation(
        bool selfUp, int members, int unreachable, bool hasRotation, bool stands)
    {
        var why = FrontDoorStanding.Judge(selfUp, members, unreachable, hasRotation);

        Assert.Equal(stands, why is null);
        if (!stands) Assert.False(string.IsNullOrWhiteSpace(why));
    }

    [Fact]
    public void Update_should_report_only_changes_and_start_not_serving()
    {
        var standing = new FrontDoorStanding();
        Assert.False(standing.Serving);

        Assert.True(standing.Update(true, 4, 0, false));
        Assert.False(standing.Serving);
        Assert.True(standing.Update(true, 4, 0, true));
        Assert.True(standing.Serving);
        Assert.False(standing.Update(true, 4, 1, true));
        Assert.True(standing.Update(true, 4, 3, true));
        Assert.Contains("1 of 4", standing.NotServing);
    }
}
