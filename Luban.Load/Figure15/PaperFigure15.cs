namespace Luban.Load.Figure15;

/// <summary>
/// The paper's Figure 15 at its own pace: 20 minutes, against a supervisor that decides every 5 minutes
/// (<c>./luban load --figure15 --paper</c> sets <c>luban.scaling.tick-interval = 5m</c> just before the run, which
/// restarts the tick, so the decisions fall at minutes 5, 10, 15 and 20 of the run; and puts the previous value back
/// after). The paper's timeline: VM3 started at about minute 5, the load balanced over three VMs, VM3 stopped at about
/// minute 15.
/// </summary>
public static class PaperFigure15
{
    /// <summary>As in the compressed run: above T_upper on two VMs (up to 80 connections each), inside the band on three.</summary>
    public const int Clients = Figure15Defaults.Clients;

    /// <summary>The overload is reached at about minute 2.5, so the tick at minute 5 sees it.</summary>
    public static readonly TimeSpan Ramp = TimeSpan.FromMinutes(3);

    /// <summary>Through the tick at minute 10 (three VMs inside the band: hold) to minute 12.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(9);

    /// <summary>The load leaves between minutes 12 and 12.5; the tick at minute 15 sees every VM idle.</summary>
    public static readonly TimeSpan Fall = TimeSpan.FromSeconds(30);

    /// <summary>Idle to minute 20: VM3 is drained and stopped after the tick at minute 15.</summary>
    public static readonly TimeSpan IdleTail = TimeSpan.FromMinutes(7.5);
}
