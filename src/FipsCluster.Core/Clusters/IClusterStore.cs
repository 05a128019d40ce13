namespace FipsCluster.Core.Clusters;

/// <summary>Where cluster records live. The file store is the embedded default; another backend can replace it.</summary>
public interface IClusterStore
{
    /// <summary>The record, verified; throws FipsClusterNotFound or FipsClusterRecordTampered.</summary>
    FipsClusterRecord Get(string name);

    /// <summary>Every record's name (records are not read or verified).</summary>
    IReadOnlyList<string> Names();

    /// <summary>Writes a new record; throws FipsClusterExists when the name is taken.</summary>
    FipsClusterRecord Create(FipsClusterRecord record);

    /// <summary>Reads, changes and writes a record under the store's lock, so concurrent updates never lose each other.</summary>
    FipsClusterRecord Update(string name, Func<FipsClusterRecord, FipsClusterRecord> change);

    /// <summary>Removes a record; false when it did not exist.</summary>
    bool Delete(string name);
}
