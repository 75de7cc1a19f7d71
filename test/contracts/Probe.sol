// SPDX-License-Identifier: MIT
// Differential-test contract: storage writes, events, reverts, block values,
// CREATE2 children, refunds (clearing storage), and a self-call chain.
pragma solidity ^0.8.20;

contract Child {
    uint256 public value;
    constructor(uint256 v) { value = v; }
}

contract Probe {
    mapping(uint256 => uint256) public slots;
    uint256 public counter;
    event Stored(uint256 indexed key, uint256 value, address indexed by);
    event Created(address child);

    function store(uint256 key, uint256 value) external {
        slots[key] = value;
        counter += 1;
        emit Stored(key, value, msg.sender);
    }

    function clear(uint256 key) external {
        delete slots[key];
    }

    function fail(uint256 code) external pure {
        require(code == 0, "probe: failed on purpose");
    }

    function hashLoop(uint256 n) external returns (bytes32 h) {
        for (uint256 i = 0; i < n; i++) h = keccak256(abi.encode(h, i));
        slots[type(uint256).max] = uint256(h);
    }

    function spawn(bytes32 salt, uint256 v) external returns (address c) {
        c = address(new Child{salt: salt}(v));
        emit Created(c);
    }

    function pay(address payable to) external payable {
        (bool ok, ) = to.call{value: msg.value}("");
        require(ok, "probe: transfer failed");
    }

    receive() external payable {}
}
