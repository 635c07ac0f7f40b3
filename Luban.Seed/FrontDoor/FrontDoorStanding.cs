namespace Luban.Seed.FrontDoor;

/// <summary>
/// Whether this front door should hold the public (virtual) address: its node is an Up member, reaches at least half
/// of the cluster's members, and has the rotation from the supervisor (a front door that has just started has none
/// until the supervisor sends it, and would answer every request with 503). keepalived's check reads it through <see cref="FrontDoorForwarder.AlivePath"/>, so a
/// front-end host cut off from the others gives the address up within the failure detector's time, before the
/// split-brain resolver downs it, and takes no part again until it is back in the cluster. Requests on every other
/// path are served either way: only the address moves.
/// </summary>
public sealed class FrontDoorStanding
{
    private volatile string? _notServing = "not yet a cluster member";

    /// <summary>Null while the front door stands; otherwise why not, for the check's answer and the log.</summary>
    public string? NotServing => _notServing;

    public bool Serving => _notServing is null;

    /// <summary>Sets the standing from the cluster as this node sees it; returns true when it changed.</summary>
    public bool Update(bool selfUp, int members, int unreachable, bool hasRotation)
    {
        var why = Judge(selfUp, members, unreachable, hasRotation);
        if (why == _notServing) return false;
        _notServing = why;
        return true;
    }

    /// <summary>
    /// The rule, apart for table tests: null (serve) when this node is Up, the members it reaches (itself included)
    /// are at least half of all, and it has a rotation. A tie serves: with two front-end hosts and two agents, losing
    /// both agents must not take the public address away from the VMs that still run.
    /// </summary>
    public static string? Judge(bool selfUp, int members, int unreachable, bool hasRotation)
    {
        if (!selfUp) return "not an Up cluster member";
        var reached = members - unreachable;
        if (reached * 2 < members) return $"reaches {reached} of {members} cluster members (fewer than half)";
        return hasRotation ? null : "no rotation from the supervisor yet";
    }
}
