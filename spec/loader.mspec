// The module loader: rmmod of the driver. delete_module() calls the module's exit routine
// (teardown: the driver stops allocating and releases every page it owns), and only then
// free_module() frees the module's code and data, including its a_ops.

fair actor loader "module unload (rmmod)" {
    // mod->exit(): from now on the driver releases its pages and allocates no more.
    step teardown @ "kernel/module.c:delete_module" {
        exiting = true
    }

    // The exit routine has returned (the driver released every page), then the module's
    // memory is freed: any later call through an old a_ops lands in freed code.
    step unload @ "kernel/module.c:free_module" {
        await owner at done
        unload driver
    }
}
