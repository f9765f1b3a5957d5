using Assistiv.Platform.Budgets;
using Assistiv.Platform.Holds;
using Assistiv.Platform.UsageLogs;

namespace Assistiv.Platform.Tests.Money;

/// <summary>
/// Issue B's ledger invariant (API.md §5.6), property-style with a seeded generator: random sequences of top-up, debit,
/// PATCH (max, suspension, threshold, period), reserve, settle, release, period reset (the clock moves, then a touch or a
/// sweeper pass), wallet top-up and budget re-creation; after every operation the database must satisfy the invariant.
/// Sequences without <c>allow_negative</c> debits and without PATCHes of <c>max_usd</c> below <c>used_usd</c> also
/// assert <c>remaining ≥ 0</c>. A failure names the seed and the step, so it can be replayed.
/// </summary>
public abstract class LedgerInvariantTests : IAsyncLifetime
{
    private MoneyHost _host = null!;

    protected abstract string Database { get; }

    protected abstract int Seeds { get; }

    // Holds of these sequences never expire: the clock jumps up to 40 days, and the test settles what it reserved.
    public async ValueTask InitializeAsync() => _host = await MoneyHost.StartAsync(Database,
        settings: new Dictionary<string, string?> { ["Gateway:Inference:TotalTimeoutSeconds"] = "2000000000" });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public Task Invariant_Holds_AfterEveryOperation_WithoutNegativeOperations() => RunSeedsAsync(negative: false, firstSeed: 1000);

    [Fact]
    public Task Invariant_Holds_AfterEveryOperation_WithNegativeOperations() => RunSeedsAsync(negative: true, firstSeed: 5000);

    private async Task RunSeedsAsync(bool negative, int firstSeed)
    {
        for (var seed = firstSeed; seed < firstSeed + Seeds; seed++)
        {
            await RunSequenceAsync(seed, negative, steps: 50);
        }
    }

    private async Task RunSequenceAsync(int seed, bool negative, int steps)
    {
        var ct = TestContext.Current.CancellationToken;
        var rng = new Random(seed);
        var pid = await _host.CreatePlatformAsync(walletMicros: rng.NextInt64(0, 50_000_000));
        var eu = await _host.CreateEndUserAsync(pid);
        string[] periods = [BudgetPeriods.OneTime, BudgetPeriods.Daily, BudgetPeriods.Monthly];
        var startPeriod = periods[rng.Next(3)];
        var auto = startPeriod != BudgetPeriods.OneTime && rng.Next(2) == 0;
        await _host.CreateBudgetAsync(pid, eu, Amount(rng), startPeriod, auto, auto ? Amount(rng) : null, rng.Next(2) == 0 ? Amount(rng) : null);
        var open = new List<Guid>();
        for (var step = 0; step < steps; step++)
        {
            var context = $"seed {seed} step {step}";
            var op = rng.Next(14);
            switch (op)
            {
                case 0:
                    await _host.Budgets.TopupAsync(pid, eu, Amount(rng), "r", null, "req_t", ct);
                    context += " topup";
                    break;
                case 1:
                    await _host.Budgets.DebitAsync(pid, eu, Amount(rng), allowNegative: negative && rng.Next(3) == 0, null, null, "req_d", ct);
                    context += " debit";
                    break;
                case 2:
                {
                    var b = await _host.Budgets.GetActiveAsync(pid, eu, null, ct);
                    // Without negative operations a new max never goes below used.
                    var max = negative || b is null ? rng.NextInt64(0, 20_000_000) : b.UsedMicros + rng.NextInt64(0, 20_000_000);
                    await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch { MaxMicros = max }, "req_p", ct);
                    context += " patch max";
                    break;
                }

                case 3:
                    await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch { IsSuspended = rng.Next(2) == 0 }, "req_s", ct);
                    context += " patch suspend";
                    break;
                case 4:
                    await _host.Budgets.PatchAsync(pid, eu, new BudgetPatch
                    {
                        SetThreshold = true,
                        LowBalanceThresholdMicros = rng.Next(3) == 0 ? null : Amount(rng),
                        Period = rng.Next(3) == 0 ? periods[rng.Next(3)] : null,
                        AutoReplenish = rng.Next(3) == 0 ? false : null,
                    }, "req_pt", ct);
                    context += " patch threshold/period";
                    break;
                case 5 or 6 or 7:
                {
                    var wallet = rng.NextInt64(0, 3_000_000);
                    var r = await _host.Holds.ReserveAsync(new HoldRequest(pid, rng.Next(5) == 0 ? null : eu, null, "req_h", "chat.completion",
                        wallet, wallet + rng.NextInt64(0, 500_000)) { Model = "mock-1" }, ct);
                    if (r.Status == HoldStatus.Reserved)
                    {
                        open.Add(r.HoldId!.Value);
                    }

                    context += $" reserve {r.Status}";
                    break;
                }

                case 8 or 9 when open.Count > 0:
                {
                    var id = open[rng.Next(open.Count)];
                    open.Remove(id);
                    var cost = rng.NextInt64(0, 4_000_000);
                    var log = new UsageLogRecord { RequestId = "req_h", PlatformId = pid, RequestType = "chat.completion", Status = "success", BillingStatus = "billed" };
                    var s = await _host.Holds.SettleAsync(id, new SettleRequest(cost, cost + rng.NextInt64(0, 400_000), "inference", "Inference", log), ct);
                    Assert.True(s.Settled, context);
                    context += " settle";
                    break;
                }

                case 10 when open.Count > 0:
                {
                    var id = open[rng.Next(open.Count)];
                    open.Remove(id);
                    Assert.True(await _host.Holds.ReleaseAsync(id, null, ct), context);
                    context += " release";
                    break;
                }

                case 11:
                    // Period boundary: move the clock, then a touch (lazy reset) or a sweeper pass.
                    _host.Time.Advance(TimeSpan.FromHours(rng.Next(1, 24 * 40)));
                    if (rng.Next(2) == 0)
                    {
                        await _host.Budgets.GetActiveAsync(pid, eu, null, ct);
                    }
                    else
                    {
                        await _host.Budgets.ResetDueAsync(ct);
                    }

                    context += " period";
                    break;
                case 12:
                    await _host.Wallets.TopupAsync(pid, Amount(rng), "top", null, "req_w", ct);
                    context += " wallet topup";
                    break;
                case 13 when rng.Next(4) == 0:
                    // Budget deleted (its holds fall to the wallet) and a new one created.
                    await _host.Budgets.DeactivateAsync(pid, eu, ct);
                    await _host.CreateBudgetAsync(pid, eu, Amount(rng));
                    context += " recreate";
                    break;
                default:
                    continue;
            }

            await using var db = await _host.Db.CreateDbContextAsync(ct);
            await LedgerInvariant.AssertAsync(db, pid, remainingNonNegative: !negative, walletNonNegative: true, context);
        }

        foreach (var id in open)
        {
            await _host.Holds.ReleaseAsync(id, null, ct);
        }

        await using (var db = await _host.Db.CreateDbContextAsync(ct))
        {
            await LedgerInvariant.AssertAsync(db, pid, remainingNonNegative: !negative, walletNonNegative: true, $"seed {seed} end");
        }
    }

    private static long Amount(Random rng) => rng.Next(4) switch
    {
        0 => rng.NextInt64(1, 1_000),
        1 => rng.NextInt64(1, 1_000_000),
        _ => rng.NextInt64(1, 10_000_000),
    };
}

public sealed class LedgerInvariantSqliteTests : LedgerInvariantTests
{
    protected override string Database => "sqlite";

    protected override int Seeds => 12;
}

public sealed class LedgerInvariantPostgresTests : LedgerInvariantTests
{
    protected override string Database => "postgres";

    protected override int Seeds => 5;
}
