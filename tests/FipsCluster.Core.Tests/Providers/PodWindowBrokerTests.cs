using System.Diagnostics;
using System.Security.Cryptography;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Providers.Kubernetes;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// The node-check pods' window exchange, step by step: who sends windows, who waits, when a second pod fetches, and
/// what a node learns when a window never comes. No reader ever waits in it: every call returns at once.
/// </summary>
public sealed class PodWindowBrokerTests
{
    private static (string Digest, byte[] Bytes) Window()
    {
        var bytes = RandomNumberGenerator.GetBytes(256);
        return (Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), bytes);
    }

    private static readonly TimeSpan Now = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_first_node_of_each_build_sends_and_the_others_offer()
    {
        var broker = new PodWindowBroker(TimeSpan.FromSeconds(10));
        Assert.Equal(BuildInfoWindows.Send, broker.RoleOf("a0", "A"));
        Assert.Equal(BuildInfoWindows.Offer, broker.RoleOf("a1", "A"));
        Assert.Equal(BuildInfoWindows.Send, broker.RoleOf("b0", "B"));
        Assert.Equal(BuildInfoWindows.Send, broker.RoleOf("a0", "A")); // asked again: still its representative
    }

    [Fact]
    public void A_parked_node_comes_back_when_its_representative_delivers_and_a_window_that_does_not_hash_to_its_digest_is_not_kept()
    {
        var broker = new PodWindowBroker(TimeSpan.FromSeconds(10));
        broker.RoleOf("a0", "A");
        var (digest, bytes) = Window();
        var (parked, fetches) = broker.Park("a1", "A", "@@FC end\n", new[] { digest }, Stopwatch.StartNew(), Now);
        Assert.True(parked);
        Assert.Empty(fetches); // its representative has not reported: it waits

        Assert.Empty(broker.Deliver(new[] { (digest, RandomNumberGenerator.GetBytes(256)) })); // other bytes under that digest
        Assert.Null(broker.Windows.Known(digest));
        var ready = Assert.Single(broker.Deliver(new[] { (digest, bytes) }));
        Assert.Equal("a1", ready.Node);
        Assert.Equal("@@FC end\n", PodFactsLog.Unpack(ready.Packed));
        Assert.Empty(broker.Reported("a0"));

        // Once known, a later node is not parked at all.
        Assert.False(broker.Park("a2", "A", "", new[] { digest }, Stopwatch.StartNew(), Now).Parked);
    }

    [Fact]
    public void A_window_its_representative_did_not_send_is_fetched_once_and_when_the_fetch_fails_it_is_unavailable_with_the_reason()
    {
        var broker = new PodWindowBroker(TimeSpan.FromSeconds(10));
        broker.RoleOf("a0", "A");
        var (own, _) = Window();
        Assert.True(broker.Park("a1", "A", "", new[] { own }, Stopwatch.StartNew(), Now).Parked);
        Assert.True(broker.Park("a2", "A", "", new[] { own }, Stopwatch.StartNew(), Now).Parked);

        var fetch = Assert.Single(broker.Reported("a0")); // one fetch per digest, whichever node offered it first
        Assert.Equal(new[] { own }, fetch.Digests);
        Assert.Contains("a0, has reported without them", fetch.Why);
        Assert.Equal(1, broker.Fetches);

        var ready = broker.FetchEnded(fetch.Id, "pod fips-node-facts-w1 Failed");
        Assert.Equal(new[] { "a1", "a2" }, ready.Select(p => p.Node).Order());
        Assert.Equal($"the second pod on {fetch.Node}, which was to send it, failed: pod fips-node-facts-w1 Failed", broker.WhyUnavailable(own));
        Assert.Empty(broker.FetchEnded(fetch.Id, null)); // ended once
        Assert.False(broker.Park("a3", "A", "", new[] { own }, Stopwatch.StartNew(), Now).Parked); // judged at once, with the reason
    }

    [Fact]
    public void A_window_another_reader_has_just_made_known_is_not_fetched_while_that_reader_hands_back_its_waiters()
    {
        // Seen in a 300-node run: node-1 put a window in the cache, node-0 (the waiting node's representative) reported
        // before node-1 resolved the waiters — a second pod was started for windows already known.
        var broker = new PodWindowBroker(TimeSpan.FromSeconds(10));
        broker.RoleOf("a0", "A");
        var (digest, bytes) = Window();
        Assert.True(broker.Park("a1", "A", "", new[] { digest }, Stopwatch.StartNew(), Now).Parked);
        Assert.True(broker.Windows.Claim(digest).Owner);
        Assert.True(broker.Windows.Deliver(digest, bytes)); // known; the reader has not resolved yet
        Assert.Empty(broker.Reported("a0"));
        Assert.Empty(broker.Overdue(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, broker.Fetches);
    }

    [Fact]
    public void Nodes_whose_representative_is_late_fetch_after_the_patience_and_the_rest_are_drained_at_the_timeout()
    {
        var broker = new PodWindowBroker(TimeSpan.FromSeconds(10));
        broker.RoleOf("a0", "A");
        var (digest, _) = Window();
        var (other, _) = Window();
        Assert.True(broker.Park("a1", "A", "", new[] { digest }, Stopwatch.StartNew(), TimeSpan.FromSeconds(1)).Parked);
        Assert.Empty(broker.Overdue(TimeSpan.FromSeconds(10.9)));
        var fetch = Assert.Single(broker.Overdue(TimeSpan.FromSeconds(11)));
        Assert.Equal("a1", fetch.Node);
        Assert.Contains("has not reported within 10 s", fetch.Why);
        Assert.Empty(broker.Overdue(TimeSpan.FromSeconds(20))); // asked once

        Assert.True(broker.Park("a2", "A", "", new[] { other }, Stopwatch.StartNew(), TimeSpan.FromSeconds(12)).Parked);
        Assert.Equal(new[] { "a1", "a2" }, broker.Drain("no pod sent it within 60 s").Select(p => p.Node).Order());
        Assert.Equal("no pod sent it within 60 s", broker.WhyUnavailable(other));
        Assert.Equal("the node offered it without a SHA-256 and did not send it", broker.WhyUnavailable(""));
    }
}
