using Npgsql;
using NpgsqlTypes;

namespace Fathom.Knowledge.Stores;

/// <summary>Positional parameters, typed where a null needs a type.</summary>
internal static class SqlParameters
{
    public static NpgsqlCommand With(this NpgsqlCommand command, object? value, NpgsqlDbType? type = null)
    {
        var parameter = new NpgsqlParameter { Value = value ?? DBNull.Value };
        if (type is { } t)
        {
            parameter.NpgsqlDbType = t;
        }
        command.Parameters.Add(parameter);
        return command;
    }
}
