using Assistiv.Bench;

// Assistiv.Bench: in-process money benchmarks (API.md §1.7: B's reserve+settle target is measured through the service
// API). Usage: dotnet run -c Release --project bench/Money -- [reserve-settle|writer-micro] [options]; see bench/README.md.
var mode = args.Length > 0 ? args[0] : "reserve-settle";
return mode switch
{
    "reserve-settle" => await ReserveSettleBench.RunAsync(args[1..]),
    "writer-micro" => await WriterMicroBench.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Assistiv.Bench reserve-settle [--db sqlite|postgres] [--pg <conn>] [--seconds N] [--workers N] [--budgets N] [--spread-only]");
    Console.Error.WriteLine("       Assistiv.Bench writer-micro [--ops N]");
    return 2;
}
