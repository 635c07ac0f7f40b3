using System.Runtime.InteropServices;
using Luban.Load.Running;

using var stop = new CancellationTokenSource();
// Ctrl-C (or SIGTERM) ends the load gracefully: each client finishes its request and the summary is still printed.
// A second Ctrl-C is left to the runtime, so it ends the process at once.
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
return await LoadApp.RunAsync(args, RunContext.FromConsole(), stop.Token);

void Interrupt(PosixSignalContext context)
{
    if (stop.IsCancellationRequested) return;
    context.Cancel = true;
    stop.Cancel();
}
