using System.Runtime.InteropServices;
using Luban.Cli;

using var stop = new CancellationTokenSource();
// Ctrl-C and SIGTERM end `events --follow` cleanly instead of killing the process mid-line.
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
return await CliApp.RunAsync(args, Console.Out, Console.Error, stop.Token);
